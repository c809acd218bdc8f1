import type { SyncType } from '../connector/index.js';

export interface SyncCounts {
  resources: number;
  entitlements: number;
  grants: number;
}

export type SyncPhase = 'resources' | 'entitlements' | 'grants' | 'expand-grants';

/** Sent after every written page: the cumulative counts of one resource type. */
export interface SyncProgressEvent {
  readonly phase: SyncPhase;
  readonly resourceTypeId: string;
  readonly counts: Readonly<SyncCounts>;
}

export type SyncProgress = (event: SyncProgressEvent) => void;

/** What a sync skipped instead of failing on. */
export interface SyncDrops {
  /** Resources with an empty type or id. */
  resources: number;
  /** Entitlements with an empty id or no resource id. */
  entitlements: number;
  /** Grants with an empty id, entitlement id, entitlement resource id or principal id. */
  invalidGrants: number;
  /** Grants whose principal was not synced (for example deleted mid-sync). */
  grantsWithUnknownPrincipal: number;
  /** Grants whose entitlement's resource was not synced. */
  grantsWithUnknownResource: number;
  /** GrantExpandable edges whose source entitlement is missing or not on the grant's principal. */
  expansionEdges: number;
}

export interface SyncSummary {
  readonly syncId: string;
  readonly syncType: SyncType;
  readonly durationMs: number;
  readonly resourceTypes: number;
  /** Rows written (upserts of the same id count again), grants include derived ones. */
  readonly totals: Readonly<SyncCounts>;
  /** Entitlements and grants are counted under their entitlement's resource type, as in c1z stats. */
  readonly byResourceType: Readonly<Record<string, Readonly<SyncCounts>>>;
  /** Grants created by expansion (not counting existing grants that gained a source). */
  readonly expandedGrants: number;
  readonly dropped: Readonly<SyncDrops>;
}

/** Running counts of one sync, reported through the optional progress callback. */
export class SyncTally {
  resourceTypes = 0;
  expandedGrants = 0;
  readonly dropped: SyncDrops = {
    resources: 0,
    entitlements: 0,
    invalidGrants: 0,
    grantsWithUnknownPrincipal: 0,
    grantsWithUnknownResource: 0,
    expansionEdges: 0,
  };
  readonly #byType = new Map<string, SyncCounts>();

  constructor(private readonly progress: SyncProgress | undefined) {}

  add(phase: SyncPhase, resourceTypeId: string, kind: keyof SyncCounts, n: number): void {
    if (n === 0) return;
    let counts = this.#byType.get(resourceTypeId);
    if (!counts) {
      counts = { resources: 0, entitlements: 0, grants: 0 };
      this.#byType.set(resourceTypeId, counts);
    }
    counts[kind] += n;
    this.progress?.({ phase, resourceTypeId, counts: { ...counts } });
  }

  /** The running count of one kind for one resource type. */
  count(resourceTypeId: string, kind: keyof SyncCounts): number {
    return this.#byType.get(resourceTypeId)?.[kind] ?? 0;
  }

  /** Adds per-type counts for items keyed by their resource type. */
  addAll<T>(
    phase: SyncPhase,
    kind: keyof SyncCounts,
    items: readonly T[],
    typeOf: (item: T) => string,
  ): void {
    const perType = new Map<string, number>();
    for (const item of items) perType.set(typeOf(item), (perType.get(typeOf(item)) ?? 0) + 1);
    for (const [typeId, n] of perType) this.add(phase, typeId, kind, n);
  }

  summary(syncId: string, syncType: SyncType, durationMs: number): SyncSummary {
    const totals: SyncCounts = { resources: 0, entitlements: 0, grants: 0 };
    const byResourceType: Record<string, SyncCounts> = {};
    for (const [typeId, c] of [...this.#byType].sort(([a], [b]) => a.localeCompare(b))) {
      byResourceType[typeId] = { ...c };
      totals.resources += c.resources;
      totals.entitlements += c.entitlements;
      totals.grants += c.grants;
    }
    return {
      syncId,
      syncType,
      durationMs,
      resourceTypes: this.resourceTypes,
      totals,
      byResourceType,
      expandedGrants: this.expandedGrants,
      dropped: { ...this.dropped },
    };
  }
}
