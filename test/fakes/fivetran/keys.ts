import { randomBytes, timingSafeEqual } from 'node:crypto';

import type { FakeState } from './fake-state.js';
import { ACCOUNT_ADMINISTRATOR } from './role-catalogue.js';

/** System-key `resource_type` values the fake checks (spec fivetran-api.md §4). */
export type PermissionResource = 'ACCOUNT' | 'USER' | 'TEAM' | 'ROLES' | 'DESTINATION' | 'CONNECTOR';
export type AccessLevel = 'NONE' | 'READ' | 'MANAGE';

export interface SystemKeyPermission {
  readonly resource_type: PermissionResource;
  readonly access_level: AccessLevel;
}

export interface ApiCredential {
  readonly key: string;
  readonly secret: string;
}

/** A user (scoped) key acts with its owner's account role; a system key with its permissions list. */
export type ApiKeyEntry =
  | (ApiCredential & { readonly kind: 'user'; readonly userId: string })
  | (ApiCredential & {
      readonly kind: 'system';
      readonly systemKeyId: string;
      readonly permissions: readonly SystemKeyPermission[];
    });

export interface FakeKeys {
  /** User key of the dataset's `Account Administrator` (`dataset.adminUserId`): may do everything. */
  readonly admin: ApiCredential;
  /** System key with MANAGE on ACCOUNT, USER, TEAM, ROLES, DESTINATION and CONNECTOR. */
  readonly system: ApiCredential;
  /** System key with READ on the same resource types. */
  readonly readOnlySystem: ApiCredential;
  /** User key of the dataset's `Account Reviewer` (`dataset.reviewerUserId`): reads, 403 on writes. */
  readonly nonAdminUser: ApiCredential;
}

const ALL_RESOURCES: readonly PermissionResource[] = [
  'ACCOUNT',
  'USER',
  'TEAM',
  'ROLES',
  'DESTINATION',
  'CONNECTOR',
];

const credential = (): ApiCredential => ({
  key: randomBytes(8).toString('hex'),
  secret: randomBytes(16).toString('hex'),
});

const grantAll = (access_level: AccessLevel): SystemKeyPermission[] =>
  ALL_RESOURCES.map((resource_type) => ({ resource_type, access_level }));

export class KeyTable {
  readonly keys: FakeKeys;
  readonly #entries = new Map<string, ApiKeyEntry>();

  constructor(owners: { adminUserId: string; nonAdminUserId: string }, overrides: Partial<FakeKeys> = {}) {
    this.keys = {
      admin: overrides.admin ?? credential(),
      system: overrides.system ?? credential(),
      readOnlySystem: overrides.readOnlySystem ?? credential(),
      nonAdminUser: overrides.nonAdminUser ?? credential(),
    };
    this.add({ ...this.keys.admin, kind: 'user', userId: owners.adminUserId });
    this.add({ ...this.keys.nonAdminUser, kind: 'user', userId: owners.nonAdminUserId });
    this.add({
      ...this.keys.system,
      kind: 'system',
      systemKeyId: 'manage_key',
      permissions: grantAll('MANAGE'),
    });
    const readOnly = { kind: 'system', systemKeyId: 'review_key', permissions: grantAll('READ') } as const;
    this.add({ ...this.keys.readOnlySystem, ...readOnly });
  }

  /** Registers an extra key, e.g. a system key with a narrower permission list. */
  add(entry: ApiKeyEntry): void {
    this.#entries.set(entry.key, entry);
  }

  /** The key id presented in a Basic `Authorization` header, if any (never the secret). */
  static presentedKey(header: string | undefined): { key: string; secret: string } | undefined {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    if (!match?.[1]) return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon <= 0 ? undefined : { key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }

  /** The key entry for valid credentials; a user key whose owner was deleted is revoked. */
  authenticate(header: string | undefined, state: FakeState): ApiKeyEntry | undefined {
    const presented = KeyTable.presentedKey(header);
    const entry = presented && this.#entries.get(presented.key);
    if (!presented || !entry || !sameSecret(entry.secret, presented.secret)) return undefined;
    if (entry.kind === 'user' && !state.users.get(entry.userId)?.active) return undefined;
    return entry;
  }
}

/** What a key may do on a resource type: user keys follow the owner's account role (spec §4). */
export function accessLevel(entry: ApiKeyEntry, resource: PermissionResource, state: FakeState): AccessLevel {
  if (entry.kind === 'system') {
    return entry.permissions.find((p) => p.resource_type === resource)?.access_level ?? 'NONE';
  }
  return state.users.get(entry.userId)?.role === ACCOUNT_ADMINISTRATOR ? 'MANAGE' : 'READ';
}

function sameSecret(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
