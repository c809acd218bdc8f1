import type { AnyMessage, Struct, Timestamp, TypeUrl } from './model.js';

export const V2 = 'c1.connector.v2';
export const typeUrl = (fullName: string): TypeUrl => `type.googleapis.com/${fullName}`;
const v2 = (name: string, fields: Record<string, unknown> = {}): AnyMessage => ({
  '@type': typeUrl(`${V2}.${name}`),
  ...fields,
});

export const isAnnotation = (a: AnyMessage, name: string): boolean => a['@type'] === typeUrl(`${V2}.${name}`);
export const findAnnotation = (
  list: readonly AnyMessage[] | undefined,
  name: string,
): AnyMessage | undefined => list?.find((a) => isAnnotation(a, name));
export const hasAnnotation = (list: readonly AnyMessage[] | undefined, name: string): boolean =>
  findAnnotation(list, name) !== undefined;
export const withoutAnnotation = (list: readonly AnyMessage[] | undefined, name: string): AnyMessage[] =>
  (list ?? []).filter((a) => !isAnnotation(a, name));

export type UserStatus = 'STATUS_ENABLED' | 'STATUS_DISABLED' | 'STATUS_DELETED';
export type AccountType = 'ACCOUNT_TYPE_HUMAN' | 'ACCOUNT_TYPE_SERVICE' | 'ACCOUNT_TYPE_SYSTEM';

export interface UserTraitFields {
  readonly emails?: readonly { readonly address: string; readonly isPrimary?: boolean }[];
  readonly status?: { readonly status: UserStatus; readonly details?: string };
  readonly profile?: Struct;
  readonly accountType?: AccountType;
  readonly login?: string;
  readonly createdAt?: Timestamp;
  readonly lastLogin?: Timestamp;
  readonly structuredName?: { readonly givenName?: string; readonly familyName?: string };
}

export const annotations = {
  userTrait: (f: UserTraitFields) => v2('UserTrait', { ...f }),
  groupTrait: (f: { readonly profile?: Struct } = {}) => v2('GroupTrait', { ...f }),
  roleTrait: (f: { readonly profile?: Struct } = {}) => v2('RoleTrait', { ...f }),
  secretTrait: (f: { readonly expiresAt?: Timestamp; readonly lastUsedAt?: Timestamp } = {}) =>
    v2('SecretTrait', { ...f }),
  skipEntitlementsAndGrants: () => v2('SkipEntitlementsAndGrants'),
  skipEntitlements: () => v2('SkipEntitlements'),
  skipGrants: () => v2('SkipGrants'),
  childResourceType: (resourceTypeId: string) => v2('ChildResourceType', { resourceTypeId }),
  grantExpandable: (entitlementIds: readonly string[], opts: { shallow?: boolean } = {}) =>
    v2('GrantExpandable', {
      entitlementIds: [...entitlementIds],
      ...(opts.shallow ? { shallow: true } : {}),
    }),
  grantImmutable: () => v2('GrantImmutable'),
  grantAlreadyExists: () => v2('GrantAlreadyExists'),
  grantAlreadyRevoked: () => v2('GrantAlreadyRevoked'),
  resourceDoesNotExist: () => v2('ResourceDoesNotExist'),
  insertResourceGrants: () => v2('InsertResourceGrants'),
  rateLimitDescription: (f: {
    readonly status: 'STATUS_OK' | 'STATUS_OVERLIMIT' | 'STATUS_ERROR';
    readonly limit?: number;
    readonly remaining?: number;
    readonly resetAt?: Timestamp;
  }) => v2('RateLimitDescription', { ...f }),
};

/** Which trait annotation a resource of a type with this trait must carry. */
export const traitAnnotationName: Readonly<Record<string, string>> = {
  TRAIT_USER: 'UserTrait',
  TRAIT_GROUP: 'GroupTrait',
  TRAIT_ROLE: 'RoleTrait',
  TRAIT_APP: 'AppTrait',
  TRAIT_SECRET: 'SecretTrait',
};
