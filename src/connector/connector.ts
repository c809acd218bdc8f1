import type {
  AccountInfo,
  Entitlement,
  Grant,
  Resource,
  ResourceId,
  ResourceType,
  ConnectorMetadata,
  AnyMessage,
  CredentialOption,
} from './model.js';

export interface CallOptions {
  readonly signal: AbortSignal;
}

export interface ListRequest extends CallOptions {
  /** Absent on the first page. */
  readonly pageToken?: string;
  readonly pageSize: number;
  /**
   * How many resources of a type this sync has stored: every listed one, 0 for a type the sync does not cover.
   * Absent when the caller does not track it (e.g. a direct call). Grant listings may start before every
   * resource is listed; asked for then, it throws, and the engine makes the same call again once the count is
   * final. Ask before the requests the count decides, so that none is made twice.
   */
  readonly resourceCount?: (resourceTypeId: string) => number;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Absent or empty when this was the last page. */
  readonly nextPageToken?: string;
  /** Response annotations such as RateLimitDescription. */
  readonly annotations?: readonly AnyMessage[];
}

/** One per resource type: lists resources, their entitlements and the grants on them. */
export interface ResourceSyncer {
  readonly resourceType: ResourceType;
  list(parent: ResourceId | undefined, req: ListRequest): Promise<Page<Resource>>;
  entitlements(resource: Resource, req: ListRequest): Promise<Page<Entitlement>>;
  grants(resource: Resource, req: ListRequest): Promise<Page<Grant>>;
  /**
   * Optional: when present, the engine calls this once for the whole type instead of `grants` per resource
   * (one pass over a large listing instead of one pass per resource). Grants may belong to any resource of
   * this type.
   */
  typeGrants?(req: ListRequest): Promise<Page<Grant>>;
}

/**
 * Optional on a resource syncer: fetches one resource by id, for targeted syncs (the SDK's
 * `ResourceTargetedSyncer`). Types that have it advertise `CAPABILITY_TARGETED_SYNC`.
 */
export interface ResourceGetter {
  /** The resource, or undefined when it does not exist (a 404): the sync then skips it. */
  get(id: ResourceId, parent: ResourceId | undefined, o: CallOptions): Promise<Resource | undefined>;
}

export interface GrantResult {
  /** Grants now in place (may be empty). */
  readonly grants?: readonly Grant[];
  /** The principal already held the entitlement: reported as GrantAlreadyExists. */
  readonly alreadyExists?: boolean;
  readonly annotations?: readonly AnyMessage[];
}

export interface RevokeResult {
  /** The grant was already gone: reported as GrantAlreadyRevoked. */
  readonly alreadyRevoked?: boolean;
  readonly annotations?: readonly AnyMessage[];
}

/** Grant and revoke for entitlements on this syncer's resource type. Both must be idempotent. */
export interface Provisioner {
  grant(principal: Resource, entitlement: Entitlement, o: CallOptions): Promise<GrantResult>;
  revoke(grant: Grant, o: CallOptions): Promise<RevokeResult>;
}

export type CreateAccountResult =
  | { readonly kind: 'success'; readonly resource: Resource }
  | { readonly kind: 'already_exists'; readonly resource: Resource }
  | { readonly kind: 'action_required'; readonly resource?: Resource; readonly message: string }
  | { readonly kind: 'in_progress'; readonly resource?: Resource };

export interface AccountManager {
  readonly credentialOptions: {
    readonly supported: readonly CredentialOption[];
    readonly preferred: CredentialOption;
  };
  createAccount(info: AccountInfo, o: CallOptions): Promise<CreateAccountResult>;
}

export interface DeleteResult {
  /** The resource was already gone: reported as ResourceDoesNotExist. */
  readonly alreadyDeleted?: boolean;
}

export interface ResourceDeleter {
  deleteResource(id: ResourceId, parent: ResourceId | undefined, o: CallOptions): Promise<DeleteResult>;
}

export interface ValidateResult {
  /** Extra facts for logs and /health details (never secrets). */
  readonly details?: Readonly<Record<string, string>>;
}

export interface Connector {
  /** Metadata without capabilities: the registry derives those. */
  metadata(): ConnectorMetadata;
  /** Makes a real API call with the configured credentials. */
  validate(o: CallOptions): Promise<ValidateResult>;
  resourceSyncers(): readonly ResourceSyncer[];
}

export const isProvisioner = (s: object): s is Provisioner =>
  typeof (s as Partial<Provisioner>).grant === 'function' &&
  typeof (s as Partial<Provisioner>).revoke === 'function';
export const isResourceGetter = (s: object): s is ResourceGetter =>
  typeof (s as Partial<ResourceGetter>).get === 'function';
export const isAccountManager = (s: object): s is AccountManager =>
  typeof (s as Partial<AccountManager>).createAccount === 'function';
export const isResourceDeleter = (s: object): s is ResourceDeleter =>
  typeof (s as Partial<ResourceDeleter>).deleteResource === 'function';
