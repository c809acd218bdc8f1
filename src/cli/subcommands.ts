import { configSchema, loadConfig, parseArgv, type FieldSpec } from '../config/index.js';
import { inspectC1z } from '../c1z/index.js';
import { toJsonForDisplay } from '../connector/index.js';
import { probeHealth } from '../ops/health-check.js';
import { createLogger } from '../ops/log.js';
import { buildRegistry } from './build-connector.js';
import { UsageError, type CliIo } from './cli-io.js';

const flag = (name: string, kind: FieldSpec['kind'], description: string, short?: string): FieldSpec => ({
  flag: name,
  kind,
  description,
  default: null,
  group: 'operations',
  ...(short ? { short } : {}),
});

const subcommandFlags: Readonly<Record<string, readonly FieldSpec[]>> = {
  'health-check': [
    flag('endpoint', 'select', 'health, ready or live'),
    flag('timeout', 'int', 'seconds to wait for an answer (default 5)'),
  ],
  inspect: [
    flag('resources', 'string', 'list the resources of this type'),
    flag('grants', 'string', 'list the grants on this entitlement id'),
    flag(
      'access',
      'string',
      'list every grant this principal (TYPE:ID, e.g. user:abc) holds, direct or through teams',
    ),
    flag('output', 'select', 'console or json', 'o'),
  ],
};

/** `config`: the configuration schema as JSON. */
export function configCommand(io: CliIo): number {
  io.stdout(`${JSON.stringify(configSchema(), null, 2)}\n`);
  return 0;
}

/** `capabilities`: needs no credentials; the connector makes no calls when built. */
export function capabilitiesCommand(io: CliIo, version: string): number {
  const log = createLogger({ level: 'silent', format: 'json' });
  const config = loadConfig({ flags: new Map(), env: {}, isTTY: false, requireCredentials: false });
  const caps = buildRegistry({ config, log, version }).capabilities();
  io.stdout(`${toJsonForDisplay('c1.connector.v2.ConnectorCapabilities', caps, { asAny: true })}\n`);
  return 0;
}

/** `health-check`: probes the ops server of a running daemon; exit 0 only on HTTP 200. */
export async function healthCheckCommand(io: CliIo, argv: readonly string[]): Promise<number> {
  const parsed = parseArgv(argv, subcommandFlags['health-check']);
  const endpoint = parsed.flags.get('endpoint') ?? 'health';
  if (!['health', 'ready', 'live'].includes(endpoint)) {
    throw new UsageError(`--endpoint must be health, ready or live, got "${endpoint}"`);
  }
  const timeoutSeconds = Number(parsed.flags.get('timeout') ?? '5');
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1)
    throw new UsageError('--timeout must be a whole number ≥ 1');
  const settings = new Map([...parsed.flags].filter(([k]) => k !== 'endpoint' && k !== 'timeout'));
  const config = loadConfig({ flags: settings, env: io.env, isTTY: false, requireCredentials: false });
  const address = config.runtime.opsListen;
  if (!address) throw new UsageError('--ops-listen-address is empty: the ops server is disabled');
  const r = await probeHealth({ ...address, endpoint, timeoutMs: timeoutSeconds * 1000 });
  if (r.ok) {
    io.stdout(`${r.body ?? ''}\n`);
    return 0;
  }
  io.stderr(`baton-fivetran: health-check ${endpoint}: ${r.error ?? `HTTP ${r.status}: ${r.body ?? ''}`}\n`);
  return 1;
}

/** `inspect FILE`: what `baton stats` / `resources` / `grants` would show for a c1z. */
export async function inspectCommand(io: CliIo, argv: readonly string[]): Promise<number> {
  const parsed = parseArgv(argv, subcommandFlags.inspect);
  const [file, ...rest] = parsed.positionals;
  if (!file || rest.length)
    throw new UsageError(
      'usage: baton-fivetran inspect FILE [--resources TYPE] [--grants ENTITLEMENT] [--access TYPE:ID] [-o json]',
    );
  const output = parsed.flags.get('output') ?? 'console';
  if (output !== 'console' && output !== 'json')
    throw new UsageError(`--output must be console or json, got "${output}"`);
  const resources = parsed.flags.get('resources');
  const grants = parsed.flags.get('grants');
  const access = parsed.flags.get('access');
  const text = await inspectC1z(file, {
    output,
    ...(resources ? { resources } : {}),
    ...(grants ? { grants } : {}),
    ...(access ? { access } : {}),
  });
  io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}
