import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import convict from 'convict';
import yaml from 'js-yaml';
import { ConfigError } from './config-error.js';
import { envName, fields, fieldByFlag, settingLabel, type FieldSpec } from './schema.js';
import { Secret } from './secret.js';
import { readNetworkSettings } from './network-settings.js';
import { checkBaseUrl, checkClientId, checkClientSecret, parseListenAddress } from './checks.js';
import { readProvisioningAction } from './provisioning-action.js';
import { parseResourceBid } from './resource-bid.js';
import type { Config, RunMode } from './config.js';
import { unknownBatonEnv } from './unknown-env.js';

export interface LoadConfigInput {
  /** Flag name → raw string, as parsed from argv. */
  readonly flags: ReadonlyMap<string, string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isTTY: boolean;
  /** Which settings must be present: subcommands such as `capabilities` need no credentials. */
  readonly requireCredentials: boolean;
  readonly cwd?: string;
}

type Value = string | number | boolean | string[] | null;

const coerce = (f: FieldSpec, raw: unknown, source: string): Value => {
  const fail = (why: string): never => {
    throw new ConfigError(`invalid ${settingLabel(f)} from ${source}: ${why}`);
  };
  if (raw === null || raw === undefined) return null;
  switch (f.kind) {
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['true', '1', 'yes', 't'].includes(s)) return true;
      if (['false', '0', 'no', 'f', ''].includes(s)) return false;
      return fail(`expected true or false, got "${String(raw)}"`);
    }
    case 'int': {
      const s = String(raw).trim();
      if (!/^-?\d+$/.test(s))
        return fail(f.secret ? 'expected a whole number' : `expected a whole number, got "${s}"`);
      const n = Number(s);
      if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) {
        return fail(`must be between ${f.min} and ${f.max}, got ${n}`);
      }
      return n;
    }
    case 'string-list':
      return (Array.isArray(raw) ? raw.map(String) : String(raw).split(','))
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'select': {
      const s = String(raw).trim();
      if (f.choices && !f.choices.includes(s)) {
        return fail(`must be one of ${f.choices.filter((c) => c !== '').join(', ')}, got "${s}"`);
      }
      return s;
    }
    default:
      if (typeof raw === 'object') return fail('expected a string');
      return String(raw);
  }
};

const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** Go `strconv.ParseBool`, as the SDK reads BATON_GET_TASKS; unset or empty means false. */
const parseGoBool = (raw: string | undefined, setting: string): boolean => {
  if (raw === undefined || raw === '' || GO_FALSE.includes(raw)) return false;
  if (GO_TRUE.includes(raw)) return true;
  throw new ConfigError(`invalid ${setting} from the environment: expected true or false, got "${raw}"`);
};

const readConfigFile = (env: LoadConfigInput['env'], cwd: string): Record<string, unknown> => {
  const explicit = env.BATON_CONFIG_PATH;
  const path = explicit || `${cwd}/.baton.yaml`;
  if (!explicit && !existsSync(path)) return {};
  if (!/\.ya?ml$/.test(path)) {
    throw new ConfigError(`invalid $BATON_CONFIG_PATH: "${path}" must end in .yaml or .yml`);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file $BATON_CONFIG_PATH "${path}": ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = yaml.load(text) ?? {};
  } catch (err) {
    throw new ConfigError(`config file "${path}": ${describeYamlError(err)}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`config file "${path}" must hold a mapping of setting names to values`);
  }
  for (const key of Object.keys(doc)) {
    if (!fieldByFlag.has(key)) throw new ConfigError(`config file "${path}": unknown setting "${key}"`);
  }
  return doc as Record<string, unknown>;
};

/** One line for a YAML parse error: js-yaml's own message adds a multi-line source excerpt. */
const describeYamlError = (err: unknown): string => {
  if (err instanceof yaml.YAMLException) {
    const where = err.mark ? `line ${err.mark.line + 1}, column ${err.mark.column + 1}: ` : '';
    return `${where}${err.reason}`;
  }
  return err instanceof Error ? err.message : String(err);
};

/** Merges defaults < config file < environment < flags, validates, and returns a frozen Config. */
export function loadConfig(input: LoadConfigInput): Config {
  const schema: Record<string, convict.SchemaObj> = {};
  for (const f of fields) {
    schema[f.flag] = {
      doc: f.description,
      format: '*',
      default: f.default as Value,
      sensitive: !!('secret' in f),
    };
  }
  // Typed loosely on purpose: convict's path types recurse too deep for a generated schema.
  const store: { load(v: object): void; validate(o: object): void; get(k: string): unknown } = convict(
    schema,
    {
      env: {},
      args: [],
    },
  ) as never;

  const layer = (source: string, values: Record<string, unknown>) => {
    const typed: Record<string, Value> = {};
    for (const [flag, raw] of Object.entries(values))
      typed[flag] = coerce(fieldByFlag.get(flag)!, raw, source);
    store.load(typed);
  };
  layer('the config file', readConfigFile(input.env, input.cwd ?? process.cwd()));
  const fromEnv: Record<string, string> = {};
  for (const f of fields) {
    const v = input.env[envName(f.flag)];
    if (v !== undefined) fromEnv[f.flag] = v;
  }
  layer('the environment', fromEnv);
  layer('the command line', Object.fromEntries(input.flags));
  store.validate({ allowed: 'strict' });

  const get = <T extends Value>(flag: string): T => store.get(flag) as T;
  const clientId = get<string>('client-id').trim();
  const clientSecret = get<string>('client-secret').trim();
  const mode: RunMode = clientId ? 'service' : 'one-shot';
  const label = (flag: string) => settingLabel(fieldByFlag.get(flag)!);

  if (clientId && !clientSecret)
    throw new ConfigError(`${label('client-secret')} is required with ${label('client-id')}`);
  if (clientSecret && !clientId)
    throw new ConfigError(`${label('client-id')} is required with ${label('client-secret')}`);
  if (clientId) {
    checkClientId(clientId, label('client-id'));
    checkClientSecret(clientSecret, label('client-secret'));
  }
  const provisioningAction = readProvisioningAction((flag) => get<string>(flag).trim(), label, mode);
  if (input.requireCredentials) {
    for (const f of fields) {
      if ('requiredIn' in f && f.requiredIn.includes(mode) && !get<string>(f.flag)) {
        throw new ConfigError(`${label(f.flag)} is required`);
      }
    }
  }
  const baseUrl = checkBaseUrl(get<string>('fivetran-base-url'), label('fivetran-base-url'));
  const opsAddress = get<string>('ops-listen-address');
  const logFormat = get<string>('log-format') || (input.isTTY ? 'console' : 'json');
  const httpTimeoutMs = get<number>('http-timeout-seconds') * 1000;
  // BATON_HOST_ID and BATON_C1_API_HOST count when present, even empty (as the SDK reads them).
  const hostIdEnv = input.env[envName('host-id')];
  const hostId = (hostIdEnv !== undefined ? hostIdEnv : hostname()) || 'baton-sdk';
  if (hostId.length > 256) throw new ConfigError(`${label('host-id')} must be at most 256 characters`);
  const apiHostEnv = input.env[envName('c1-api-host')];
  const network = readNetworkSettings(input.env);
  const getTasks = parseGoBool(input.env[envName('get-tasks')], label('get-tasks'));

  return Object.freeze<Config>({
    mode,
    ...(provisioningAction ? { provisioningAction: Object.freeze(provisioningAction) } : {}),
    controlPlane: Object.freeze({
      clientId,
      clientSecret: new Secret(clientSecret),
      hostId,
      ...(apiHostEnv !== undefined ? { apiHostOverride: apiHostEnv } : {}),
      httpTimeoutMs,
      getTasks,
    }),
    fivetran: Object.freeze({
      apiKey: get<string>('fivetran-api-key'),
      apiSecret: new Secret(get<string>('fivetran-api-secret')),
      baseUrl,
      concurrency: get<number>('fivetran-concurrency'),
      timeoutMs: httpTimeoutMs,
      maxListItems: get<number>('fivetran-max-list-items'),
      connectionUserScan: {
        mode: get<'auto' | 'always' | 'never'>('connection-user-scan'),
        userLimit: get<number>('connection-user-scan-limit'),
      },
    }),
    sync: Object.freeze({
      file: get<string>('file'),
      provisioning: get<boolean>('provisioning'),
      resourceTypeIds: Object.freeze(get<string[]>('sync-resource-types')),
      skipEntitlementsAndGrants: get<boolean>('skip-entitlements-and-grants'),
      targetedResources: Object.freeze(
        get<string[]>('sync-resources').map((text) => {
          try {
            return parseResourceBid(text);
          } catch (err) {
            throw new ConfigError(`invalid ${label('sync-resources')}: ${(err as Error).message}`);
          }
        }),
      ),
      tempDir: get<string>('c1z-temp-dir'),
    }),
    runtime: Object.freeze({
      taskConcurrency: get<number>('task-concurrency'),
      shutdownGraceMs: get<number>('shutdown-grace-seconds') * 1000,
      opsListen: opsAddress ? parseListenAddress(opsAddress, label('ops-listen-address')) : undefined,
    }),
    network,
    unknownEnv: Object.freeze(unknownBatonEnv(input.env)),
    log: Object.freeze({
      level: get<string>('log-level') as Config['log']['level'],
      format: logFormat as 'json' | 'console',
    }),
  });
}
