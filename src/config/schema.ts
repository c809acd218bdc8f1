// The one source of truth for settings: flags, BATON_* env vars, defaults, validation, help, the `config`
// subcommand and the README table are all derived from this list.

export type FieldKind = 'string' | 'boolean' | 'int' | 'select' | 'string-list';

export interface FieldSpec {
  /** Flag name without dashes; the env var is BATON_ + upper snake case of it. */
  readonly flag: string;
  readonly kind: FieldKind;
  readonly description: string;
  readonly default: string | number | boolean | readonly string[] | null;
  readonly short?: string;
  readonly secret?: boolean;
  /** Settable only through the environment (no command-line flag). */
  readonly envOnly?: boolean;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Shown in help as the default when the real default is computed at run time. */
  readonly defaultLabel?: string;
  /** Required in which run modes (validated after loading). */
  readonly requiredIn?: readonly ('service' | 'one-shot')[];
  /** Hidden as in the SDK: kept out of the main help rows (listed apart), still in `config` and the README. */
  readonly hidden?: boolean;
  readonly group: 'control-plane' | 'fivetran' | 'sync' | 'provisioning' | 'operations' | 'logging';
}

export const envName = (flag: string): string => `BATON_${flag.toUpperCase().replace(/-/g, '_')}`;

export const fields = [
  {
    flag: 'client-id',
    kind: 'string',
    default: '',
    group: 'control-plane',
    description: 'The client ID used to authenticate with ConductorOne; when set, runs in service mode',
  },
  {
    flag: 'client-secret',
    kind: 'string',
    default: '',
    secret: true,
    group: 'control-plane',
    description: 'The client secret used to authenticate with ConductorOne (required with --client-id)',
  },
  {
    flag: 'fivetran-api-key',
    kind: 'string',
    default: '',
    group: 'fivetran',
    requiredIn: ['service', 'one-shot'],
    description: 'Fivetran API key: an Account Administrator user key or a system key',
  },
  {
    flag: 'fivetran-api-secret',
    kind: 'string',
    default: '',
    secret: true,
    group: 'fivetran',
    requiredIn: ['service', 'one-shot'],
    description: 'Fivetran API secret that belongs to the API key',
  },
  {
    flag: 'fivetran-base-url',
    kind: 'string',
    default: 'https://api.fivetran.com/v1',
    group: 'fivetran',
    description: 'Fivetran REST API base URL (http:// only for loopback hosts)',
  },
  {
    flag: 'fivetran-concurrency',
    kind: 'int',
    default: 4,
    min: 1,
    max: 32,
    group: 'fivetran',
    description: 'Parallel Fivetran requests during a sync (also how many resources are listed at once)',
  },
  {
    flag: 'fivetran-max-list-items',
    kind: 'int',
    default: 200_000,
    min: 1000,
    max: 100_000_000,
    group: 'fivetran',
    description:
      "Most items one Fivetran list may hold (users, teams, a team's members); a list paging past it fails the sync as endless",
  },
  {
    flag: 'connection-user-scan',
    kind: 'select',
    default: 'auto',
    choices: ['auto', 'always', 'never'],
    group: 'fivetran',
    description:
      "When to read each user's direct connection roles (one request per user): auto (up to --connection-user-scan-limit users), always or never",
  },
  {
    flag: 'connection-user-scan-limit',
    kind: 'int',
    default: 2000,
    min: 0,
    max: 10_000_000,
    group: 'fivetran',
    description: 'In auto mode, accounts with more users than this skip the per-user connection scan',
  },
  {
    flag: 'http-timeout-seconds',
    kind: 'int',
    default: 300,
    min: 1,
    max: 1800,
    group: 'fivetran',
    description: 'Timeout of one HTTP request to Fivetran or to the ConductorOne token endpoint',
  },
  {
    flag: 'provisioning',
    short: 'p',
    kind: 'boolean',
    default: false,
    group: 'sync',
    description: 'This must be set in order for provisioning actions to be enabled',
  },
  {
    flag: 'file',
    short: 'f',
    kind: 'string',
    default: 'sync.c1z',
    group: 'sync',
    description: 'The path to the c1z file to sync with',
  },
  {
    flag: 'sync-resource-types',
    kind: 'string-list',
    default: [],
    group: 'sync',
    description: 'Comma-separated resource type ids to sync (one-shot mode; service mode follows the task)',
  },
  {
    flag: 'sync-resources',
    kind: 'string-list',
    default: [],
    group: 'sync',
    description:
      'One-shot targeted sync of these resources only, comma-separated, e.g. bid:r:team/<id> (see README)',
  },
  {
    flag: 'skip-entitlements-and-grants',
    kind: 'boolean',
    default: false,
    group: 'sync',
    description: 'Sync only resource types and resources (one-shot mode)',
  },
  {
    flag: 'c1z-temp-dir',
    kind: 'string',
    default: '',
    defaultLabel: 'the OS temp dir; in one-shot mode the folder of --file',
    group: 'sync',
    description: 'Directory for temporary c1z files; it must exist',
  },
  {
    flag: 'task-concurrency',
    kind: 'int',
    default: 3,
    min: 1,
    max: 100,
    group: 'operations',
    description: 'How many tasks run at once in service mode',
  },
  {
    flag: 'shutdown-grace-seconds',
    kind: 'int',
    default: 30,
    min: 0,
    max: 3600,
    group: 'operations',
    description: 'On SIGTERM or SIGINT, how long in-flight tasks may run before they are cancelled',
  },
  {
    flag: 'ops-listen-address',
    kind: 'string',
    default: '0.0.0.0:8081',
    group: 'operations',
    description: 'host:port serving /metrics, /health, /ready and /live in service mode; empty disables it',
  },
  {
    flag: 'log-level',
    kind: 'select',
    default: 'info',
    choices: ['debug', 'info', 'warn', 'error'],
    group: 'logging',
    description: 'The log level',
  },
  {
    flag: 'log-format',
    kind: 'select',
    default: '',
    defaultLabel: 'console on a TTY, json otherwise',
    choices: ['', 'json', 'console'],
    group: 'logging',
    description: 'The output format for logs: json or console',
  },
  {
    flag: 'grant-entitlement',
    kind: 'string',
    default: '',
    hidden: true,
    group: 'provisioning',
    description: 'One-shot: grant this entitlement id (from the --file sync) to --grant-principal',
  },
  {
    flag: 'grant-principal',
    kind: 'string',
    default: '',
    hidden: true,
    group: 'provisioning',
    description: 'One-shot: the resource id of the principal to grant --grant-entitlement to',
  },
  {
    flag: 'grant-principal-type',
    kind: 'string',
    default: '',
    hidden: true,
    group: 'provisioning',
    description: 'One-shot: the resource type of --grant-principal (e.g. user); found in --file when empty',
  },
  {
    flag: 'revoke-grant',
    kind: 'string',
    default: '',
    hidden: true,
    group: 'provisioning',
    description: 'One-shot: revoke this grant id (from the --file sync)',
  },
  {
    flag: 'create-account-login',
    kind: 'string',
    default: '',
    hidden: true,
    group: 'provisioning',
    description: 'One-shot: create an account with this login',
  },
  {
    flag: 'create-account-email',
    kind: 'string',
    default: '',
    hidden: true,
    group: 'provisioning',
    description: 'One-shot: create an account with this email',
  },
  {
    flag: 'create-account-profile',
    kind: 'string',
    default: '',
    hidden: true,
    group: 'provisioning',
    description: 'One-shot: JSON object of account profile fields (e.g. given_name, family_name, role)',
  },
  {
    flag: 'create-account-resource-type',
    kind: 'string',
    default: '',
    defaultLabel: "the connector's account type",
    hidden: true,
    group: 'provisioning',
    description: 'One-shot: the resource type of the account to create',
  },
  {
    flag: 'delete-resource',
    kind: 'string',
    default: '',
    hidden: true,
    group: 'provisioning',
    description: 'One-shot: delete the resource with this id (with --delete-resource-type)',
  },
  {
    flag: 'delete-resource-type',
    kind: 'string',
    default: '',
    hidden: true,
    group: 'provisioning',
    description: 'One-shot: the resource type of --delete-resource',
  },
  {
    flag: 'host-id',
    kind: 'string',
    default: null,
    envOnly: true,
    defaultLabel: 'the hostname',
    group: 'control-plane',
    description: 'Identifies this connector instance to ConductorOne (set it to the pod name)',
  },
  {
    flag: 'get-tasks',
    kind: 'boolean',
    default: false,
    envOnly: true,
    group: 'control-plane',
    description: 'Poll ConductorOne for tasks in batches (GetTasks) instead of one at a time (GetTask)',
  },
  {
    flag: 'c1-api-host',
    kind: 'string',
    default: null,
    envOnly: true,
    defaultLabel: 'the host in the client ID',
    group: 'control-plane',
    description:
      'Overrides the ConductorOne host[:port] for the token endpoint and gRPC (testing, private deployments)',
  },
] as const satisfies readonly FieldSpec[];

export type FieldName = (typeof fields)[number]['flag'];
export const fieldByFlag = new Map<string, FieldSpec>(fields.map((f) => [f.flag, f]));
export const fieldByShort = new Map<string, FieldSpec>(
  fields
    .filter((f): f is (typeof fields)[number] & { short: string } => 'short' in f)
    .map((f) => [f.short, f]),
);

/** `--flag ($BATON_FLAG)`, or just the env var for env-only settings: how errors name a setting. */
export const settingLabel = (f: FieldSpec): string =>
  f.envOnly ? `$${envName(f.flag)}` : `--${f.flag} ($${envName(f.flag)})`;
