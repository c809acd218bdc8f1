import { ConfigError } from './config-error.js';
import type { ProfileValue, ProvisioningAction, RunMode } from './config.js';

// The SDK's hidden one-shot operation flags, grouped by the operation they belong to. Flags of two groups may
// not be combined (the SDK's FieldsMutuallyExclusive); within a group some are required together.
const GROUPS = {
  grant: ['grant-entitlement', 'grant-principal', 'grant-principal-type'],
  revoke: ['revoke-grant'],
  'create-account': [
    'create-account-login',
    'create-account-email',
    'create-account-profile',
    'create-account-resource-type',
  ],
  'delete-resource': ['delete-resource', 'delete-resource-type'],
} as const satisfies Record<ProvisioningAction['kind'], readonly string[]>;

type Kind = keyof typeof GROUPS;

/**
 * The one-shot operation the settings ask for, or undefined for a plain sync.
 * `value(flag)` is the trimmed setting ('' when unset); `label(flag)` names it as `--flag ($BATON_FLAG)`.
 */
export function readProvisioningAction(
  value: (flag: string) => string,
  label: (flag: string) => string,
  mode: RunMode,
): ProvisioningAction | undefined {
  const used = (Object.entries(GROUPS) as [Kind, readonly string[]][])
    .map(([kind, flags]) => ({ kind, flags: flags.filter((f) => value(f) !== '') }))
    .filter((g) => g.flags.length > 0);
  const [first, second] = used;
  if (!first) return undefined;
  if (second) {
    throw new ConfigError(
      `${label(first.flags[0]!)} and ${label(second.flags[0]!)} cannot be used together: ` +
        'give one provisioning operation at a time',
    );
  }
  if (mode === 'service') {
    throw new ConfigError(
      `${label(first.flags[0]!)} is a one-shot operation and cannot be used with ${label('client-id')}`,
    );
  }
  const need = (flag: string, withFlag: string): string => {
    const v = value(flag);
    if (!v) throw new ConfigError(`${label(flag)} is required with ${label(withFlag)}`);
    return v;
  };
  const optional = (flag: string): string | undefined => value(flag) || undefined;

  switch (first.kind) {
    case 'grant': {
      const other = first.flags.find((f) => f !== 'grant-entitlement') ?? 'grant-principal';
      const entitlementId = need('grant-entitlement', other);
      const principalId = need('grant-principal', 'grant-entitlement');
      const principalType = optional('grant-principal-type');
      return { kind: 'grant', entitlementId, principalId, ...(principalType ? { principalType } : {}) };
    }
    case 'revoke':
      return { kind: 'revoke', grantId: value('revoke-grant') };
    case 'create-account': {
      const login = optional('create-account-login');
      const email = optional('create-account-email');
      if (!login && !email) {
        throw new ConfigError(
          `${label('create-account-login')} or ${label('create-account-email')} is required with ` +
            label(first.flags[0]!),
        );
      }
      const rawProfile = optional('create-account-profile');
      const profile = rawProfile === undefined ? undefined : parseProfile(rawProfile, label);
      const resourceTypeId = optional('create-account-resource-type');
      return {
        kind: 'create-account',
        ...(login ? { login } : {}),
        ...(email ? { email } : {}),
        ...(profile ? { profile } : {}),
        ...(resourceTypeId ? { resourceTypeId } : {}),
      };
    }
    case 'delete-resource':
      return {
        kind: 'delete-resource',
        resourceId: need('delete-resource', 'delete-resource-type'),
        resourceTypeId: need('delete-resource-type', 'delete-resource'),
      };
  }
}

function parseProfile(raw: string, label: (flag: string) => string): Readonly<Record<string, ProfileValue>> {
  const fail = (why: string): never => {
    throw new ConfigError(
      `invalid ${label('create-account-profile')}: expected a JSON object such as ` +
        `{"given_name":"Ada","family_name":"Lovelace"}, ${why}`,
    );
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return fail(`but it is not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail(
      `got ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`}`,
    );
  }
  return deepFreeze(parsed as Record<string, ProfileValue>);
}

const deepFreeze = <T>(v: T): T => {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
};
