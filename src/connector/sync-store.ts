import type { Entitlement, Grant, Resource, ResourceId, ResourceType } from './model.js';

export type SyncType = 'full' | 'resources_only' | 'partial';

/** The expansion instructions a grant carried in its GrantExpandable annotation (moved to its own column). */
export interface GrantExpansion {
  readonly entitlementIds: readonly string[];
  readonly shallow?: boolean;
  readonly resourceTypeIds?: readonly string[];
}

export interface StoredRow<T> {
  /** Monotonic row id, used as a keyset cursor for the next page. */
  readonly rowId: number;
  readonly value: T;
}

export interface StoredGrant {
  readonly grant: Grant;
  readonly expansion?: GrantExpansion;
}

/**
 * Where a sync writes. Each page-sized put is atomic (all of it is stored, or none); reads see everything
 * written so far.
 * The c1z writer (src/c1z) implements it; tests may use an in-memory one.
 */
export interface SyncStore {
  /**
   * Optional: builds what the first write needs (a c1z writer's protobuf codec) ahead of it. The sync calls it
   * while the connector's validation call is on the wire, where the CPU it takes costs no time.
   */
  prepare?(): void;
  /**
   * Starts the one sync run this store writes and returns its KSUID. A `partial` (targeted) sync names as
   * its parent the latest finished `full` sync the store already holds, or none (c1z-format.md §6.2).
   */
  startSync(syncType: SyncType): string;
  putResourceTypes(items: readonly ResourceType[]): void;
  putResources(items: readonly Resource[]): void;
  putEntitlements(items: readonly Entitlement[]): void;
  /** Upserts by grant id. A GrantExpandable annotation is stripped from `data` into the expansion columns. */
  putGrants(items: readonly Grant[]): void;

  getResource(id: ResourceId): Resource | undefined;
  /**
   * Optional fast path for grant principals: a stand-in for the stored resource (undefined when none is
   * stored). A grant given back to this same store's `putGrants` with it as principal is stored exactly as
   * with the full resource from `getResource`; it is opaque and means nothing to any other store.
   */
  getPrincipalRef?(id: ResourceId): Resource | undefined;
  getEntitlement(id: string): Entitlement | undefined;
  getGrant(id: string): StoredGrant | undefined;
  /**
   * Optional fast path for many `getGrant` existence checks at once: which of `ids` are stored. Without it,
   * callers look each id up.
   */
  storedGrantIds?(ids: readonly string[]): ReadonlySet<string>;

  /** Resources of one type with rowId > afterRowId, in row order, at most `limit`. */
  listResources(resourceTypeId: string, afterRowId: number, limit: number): StoredRow<Resource>[];
  /** The rowId of the last resource of one type stored so far (0 when none). */
  lastResourceRowId(resourceTypeId: string): number;
  /** Grants whose expansion column is set, rowId > afterRowId, at most `limit`. */
  listExpandableGrants(afterRowId: number, limit: number): StoredRow<StoredGrant>[];
  /**
   * Grants on one entitlement, rowId > afterRowId, at most `limit`. With `principalRefs`, a store may give
   * each principal as the same kind of stand-in as `getPrincipalRef`, and the entitlement as a stand-in with
   * only `id` and `resource.id` (they are only good for this store's `putGrants`, which stores them as they
   * were stored); stores without stand-ins ignore the option.
   */
  listGrantsForEntitlement(
    entitlementId: string,
    afterRowId: number,
    limit: number,
    options?: { readonly principalRefs?: boolean },
  ): StoredRow<StoredGrant>[];

  /** Sets supports_diff = 1: the expansion columns are filled. */
  markSupportsDiff(): void;
  /** Sets ended_at (and correct stats). Only called when the sync succeeded. */
  endSync(): void;
}
