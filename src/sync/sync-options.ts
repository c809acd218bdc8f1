import type { Resource } from '../connector/index.js';
import { invalidArgument, resourceKey } from '../connector/index.js';

/** A resource a targeted sync asks for: its id and, for child resources, its parent's. */
export type TargetResource = Pick<Resource, 'id' | 'parentResourceId'>;

/** What to sync; mirrors SyncFullTask's options (control-plane §5.2). */
export interface SyncOptions {
  /** `sync_resource_type_ids`: only these types (and their resources, entitlements and grants). */
  readonly resourceTypeIds?: readonly string[];
  /** `skip_entitlements_and_grants`: a `resources_only` sync. */
  readonly skipEntitlementsAndGrants?: boolean;
  /** `skip_grants`: entitlements but no grants. */
  readonly skipGrants?: boolean;
  /** `skip_expand_grants`: C1 expands grants itself. */
  readonly skipExpandGrants?: boolean;
  /** Page size asked of the connector (a hint; connectors may cap it). */
  readonly pageSize?: number;
  /**
   * `targeted_sync_resources`: a `partial` sync of only these resources, with their entitlements and the
   * grants on them. Absent or empty means a whole sync.
   */
  readonly targetedResources?: readonly TargetResource[];
  /**
   * Pages one listing may take; a longer listing fails the sync as endless (default 10,000). Derive it from
   * what the source can hold: its largest list divided by its page size.
   */
  readonly maxPagesPerListing?: number;
}

export interface CompiledSyncOptions {
  readonly resourceTypeIds: ReadonlySet<string> | undefined;
  readonly skipEntitlementsAndGrants: boolean;
  readonly skipGrants: boolean;
  readonly skipExpandGrants: boolean;
  readonly pageSize: number;
  readonly maxPagesPerListing: number;
  readonly concurrency: number;
  /** Deduplicated, in the order given; undefined for a whole sync. */
  readonly targets: readonly TargetResource[] | undefined;
}

export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_CONCURRENCY = 4;
const DEFAULT_MAX_PAGES_PER_LISTING = 10_000;
const MAX_PAGE_SIZE = 10_000;
const MAX_CONCURRENCY = 64;

/** Applies defaults and checks ranges once, before any I/O. */
export function compileSyncOptions(options: SyncOptions, concurrency?: number): CompiledSyncOptions {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw invalidArgument(`baton-fivetran: sync option pageSize must be an integer 1..${MAX_PAGE_SIZE}`);
  }
  const maxPagesPerListing = options.maxPagesPerListing ?? DEFAULT_MAX_PAGES_PER_LISTING;
  if (!Number.isInteger(maxPagesPerListing) || maxPagesPerListing < 1) {
    throw invalidArgument('baton-fivetran: sync option maxPagesPerListing must be a positive integer');
  }
  const workers = concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_CONCURRENCY) {
    throw invalidArgument(`baton-fivetran: sync concurrency must be an integer 1..${MAX_CONCURRENCY}`);
  }
  const ids = options.resourceTypeIds?.filter((id) => id !== '');
  return {
    resourceTypeIds: ids && ids.length > 0 ? new Set(ids) : undefined,
    skipEntitlementsAndGrants: options.skipEntitlementsAndGrants === true,
    skipGrants: options.skipGrants === true,
    skipExpandGrants: options.skipExpandGrants === true,
    pageSize,
    maxPagesPerListing,
    concurrency: workers,
    targets: distinctTargets(options.targetedResources),
  };
}

/** Targets named twice (same id and parent) are synced once, as the SDK does. */
function distinctTargets(targets: readonly TargetResource[] | undefined): TargetResource[] | undefined {
  if (!targets || targets.length === 0) return undefined;
  const byKey = new Map<string, TargetResource>();
  for (const t of targets) {
    if (!t.id?.resourceType || !t.id.resource) {
      throw invalidArgument('baton-fivetran: a targeted resource has an empty resource type or id');
    }
    const parent = t.parentResourceId?.resourceType ? resourceKey(t.parentResourceId) : '';
    const key = `${resourceKey(t.id)}\u0000${parent}`;
    if (!byKey.has(key)) byKey.set(key, t);
  }
  return [...byKey.values()];
}
