import { ConfigError, loadConfig, parseArgv, renderHelp } from '../config/index.js';
import { BatonError, codeName } from '../connector/index.js';
// Only the logger: the ops barrel also loads prom-client, which one-shot runs never use.
import { createLogger } from '../ops/log.js';
import { buildRegistry } from './build-connector.js';
import { UsageError, type CliIo } from './cli-io.js';
import { runOneShot } from './one-shot.js';
import { operationName, runOneShotProvisioning } from './one-shot-provisioning.js';
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
    for (const { name, closest } of config.unknownEnv) {
      log.warn({ envVar: name, closest }, 'ignoring an unknown BATON_ environment variable (a typo?)');
    }
    io.onLogger?.(log);
    io.onForcedExit?.((signal) =>
      log.warn({ signal }, 'second signal received; exiting now without draining'),
    );
    if (config.mode === 'service') {
      // Loaded on demand: gRPC, prom-client and the control plane cost one-shot runs ~80 ms of CPU and ~15 MiB.
      const { runService } = await import('./service.js');
      return await runService({ config, log, version, shutdown, io });
    }
    const registry = buildRegistry({ config, log, version });
    const action = config.provisioningAction;
    // One job, then exit: an interrupted job exits 130, a failed one 1 with one line naming the cause.
    const job = async (operation: string, run: () => Promise<void>): Promise<number> => {
      try {
        await run();
        return 0;
      } catch (err) {
        if (shutdown.aborted) {
          log.warn({ operation }, `${operation} interrupted; nothing was written`);
          return 130;
        }
        log.error({ err, operation }, `${operation} failed`);
        io.stderr(`baton-fivetran: ${operation} failed: ${describe(err)}\n`);
        return 1;
      }
    };
    if (action) {
      return await job(operationName(action), async () => {
        const report = await runOneShotProvisioning({ action, config, registry, log, signal: shutdown });
        io.stdout(`${JSON.stringify(report)}\n`);
      });
    }
    return await job('sync', async () => {
      await runOneShot({ config, registry, log, signal: shutdown });
    });
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
