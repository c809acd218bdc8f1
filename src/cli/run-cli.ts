import { ConfigError, loadConfig, parseArgv, renderHelp } from '../config/index.js';
import { BatonError, codeName } from '../connector/index.js';
import { createLogger } from '../ops/index.js';
import { buildRegistry } from './build-connector.js';
import { UsageError, type CliIo } from './cli-io.js';
import { runOneShot } from './one-shot.js';
import { operationName, runOneShotProvisioning } from './one-shot-provisioning.js';
import { runService } from './service.js';
import { capabilitiesCommand, configCommand, healthCheckCommand, inspectCommand } from './subcommands.js';
import { readVersion } from './version.js';

const SUBCOMMANDS = new Set(['capabilities', 'config', 'health-check', 'inspect', 'help']);

/** Runs one CLI invocation and returns the exit code. `shutdown` aborts on SIGTERM/SIGINT. */
export async function runCli(argv: readonly string[], io: CliIo, shutdown: AbortSignal): Promise<number> {
  const version = readVersion();
  try {
    const [first, ...rest] = argv;
    if (first && SUBCOMMANDS.has(first)) {
      if (rest.includes('--help') || rest.includes('-h') || first === 'help') {
        io.stdout(renderHelp(version));
        return 0;
      }
      switch (first) {
        case 'config':
          return configCommand(io);
        case 'capabilities':
          return capabilitiesCommand(io, version);
        case 'health-check':
          return await healthCheckCommand(io, rest);
        case 'inspect':
          return await inspectCommand(io, rest);
      }
    }
    const parsed = parseArgv(argv);
    if (parsed.help) {
      io.stdout(renderHelp(version));
      return 0;
    }
    if (parsed.version) {
      io.stdout(`baton-fivetran version ${version}\n`);
      return 0;
    }
    if (parsed.positionals.length)
      throw new UsageError(`unknown command "${parsed.positionals[0]}" (see --help)`);
    const config = loadConfig({
      flags: parsed.flags,
      env: io.env,
      isTTY: io.isTTY,
      requireCredentials: true,
    });
    const log = createLogger({ level: config.log.level, format: config.log.format });
    if (config.mode === 'service') return await runService({ config, log, version, shutdown, io });
    const registry = buildRegistry({ config, log, version });
    const action = config.provisioningAction;
    if (action) {
      const operation = operationName(action);
      try {
        const report = await runOneShotProvisioning({ action, config, registry, log, signal: shutdown });
        io.stdout(`${JSON.stringify(report)}\n`);
        return 0;
      } catch (err) {
        if (shutdown.aborted) {
          log.warn({ operation }, 'provisioning operation interrupted');
          return 130;
        }
        log.error({ err, operation }, 'provisioning operation failed');
        io.stderr(`baton-fivetran: ${operation} failed: ${describe(err)}\n`);
        return 1;
      }
    }
    try {
      await runOneShot({ config, registry, log, signal: shutdown });
      return 0;
    } catch (err) {
      if (shutdown.aborted) {
        log.warn('sync interrupted; no file was written');
        return 130;
      }
      log.error({ err }, 'sync failed');
      io.stderr(`baton-fivetran: sync failed: ${describe(err)}\n`);
      return 1;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`baton-fivetran: invalid configuration: ${err.message}\n`);
      return 1;
    }
    if (err instanceof UsageError) {
      io.stderr(`baton-fivetran: ${err.message}\n`);
      return 2;
    }
    io.stderr(`baton-fivetran: ${describe(err)}\n`);
    return 1;
  }
}

const describe = (err: unknown): string => {
  const text = err instanceof Error ? err.message.replace(/^baton-fivetran: /, '') : String(err);
  return err instanceof BatonError ? `${text} (${codeName(err.code)})` : text;
};
