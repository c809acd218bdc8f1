import type { Entitlement, Grant, Resource, ResourceId, ResourceType } from '../../src/connector/index.js';
import {
  failedPrecondition,
  findAnnotation,
  resourceKey,
  withoutAnnotation,
} from '../../src/connector/index.js';
import type { GrantExpansion, StoredGrant, StoredRow, SyncStore, SyncType } from '../../src/sync/index.js';

export interface StoreWrite {
  readonly table: 'resourceTypes' | 'resources' | 'entitlements' | 'grants';
  readonly count: number;
}

/**
 * An in-memory SyncStore with the c1z writer's semantics (c1z-format.md §5.3-§5.7): upserts keep their row id
 * and side columns, GrantExpandable moves out of the grant into the expansion column, values are copied in and
 * out, writes need a started sync.
 */
export class MemorySyncStore implements SyncStore {
  syncId: string | undefined;
  syncType: SyncType | undefined;
  supportsDiff = false;
  isEnded = false;
  /** Every put, in order, with its batch size. */
  readonly writes: StoreWrite[] = [];
  #rowId = 0;
  readonly #types = new Map<string, StoredRow<ResourceType>>();
  readonly #resources = new Map<string, StoredRow<Resource>>();
  readonly #entitlements = new Map<string, StoredRow<Entitlement>>();
  readonly #grants = new Map<string, StoredRow<StoredGrant>>();
  /**
   * Grant id -> the entitlement_id side column. An upsert replaces only the data and expansion columns
   * (c1z-format.md §5.7), so the column keeps the entitlement of the grant's first write.
   */
  readonly #grantEntitlements = new Map<string, string>();

  startSync(syncType: SyncType): string {
    if (this.syncId) throw failedPrecondition('baton-fivetran: memory store: a sync was already started');
    this.syncType = syncType;
    // 27 base62 characters, like a KSUID.
    this.syncId = `2${'0'.repeat(20)}MEMORY`;
    return this.syncId;
  }

  putResourceTypes(items: readonly ResourceType[]): void {
    this.#put('resourceTypes', this.#types, items, (t) => t.id);
  }

  putResources(items: readonly Resource[]): void {
    this.#put('resources', this.#resources, items, (r) => resourceKey(r.id));
  }

  putEntitlements(items: readonly Entitlement[]): void {
    this.#put('entitlements', this.#entitlements, items, (e) => e.id);
  }

  putGrants(items: readonly Grant[]): void {
    this.#put('grants', this.#grants, items.map(splitExpansion), (g) => g.grant.id);
    for (const g of items)
      if (!this.#grantEntitlements.has(g.id)) this.#grantEntitlements.set(g.id, g.entitlement.id);
  }

  getResource(id: ResourceId): Resource | undefined {
    return copy(this.#resources.get(resourceKey(id))?.value);
  }

  getEntitlement(id: string): Entitlement | undefined {
    return copy(this.#entitlements.get(id)?.value);
  }

  getGrant(id: string): StoredGrant | undefined {
    return copy(this.#grants.get(id)?.value);
  }

  lastResourceRowId(resourceTypeId: string): number {
    let last = 0;
    for (const r of this.#resources.values()) {
      if (r.value.id.resourceType === resourceTypeId) last = Math.max(last, r.rowId);
    }
    return last;
  }

  listResources(resourceTypeId: string, afterRowId: number, limit: number): StoredRow<Resource>[] {
    return page(this.#resources, afterRowId, limit, (r) => r.id.resourceType === resourceTypeId);
  }

  listExpandableGrants(afterRowId: number, limit: number): StoredRow<StoredGrant>[] {
    return page(this.#grants, afterRowId, limit, (g) => g.expansion !== undefined);
  }

  listGrantsForEntitlement(
    entitlementId: string,
    afterRowId: number,
    limit: number,
  ): StoredRow<StoredGrant>[] {
    return page(
      this.#grants,
      afterRowId,
      limit,
      (g) => this.#grantEntitlements.get(g.grant.id) === entitlementId,
    );
  }

  markSupportsDiff(): void {
    this.#writable();
    this.supportsDiff = true;
  }

  endSync(): void {
    this.#writable();
    this.isEnded = true;
  }

  // Assertion helpers (not part of SyncStore).
  resourceTypes(): ResourceType[] {
    return [...this.#types.values()].map((r) => copy(r.value));
  }
  resources(resourceTypeId?: string): Resource[] {
    const all = [...this.#resources.values()].map((r) => copy(r.value));
    return resourceTypeId ? all.filter((r) => r.id.resourceType === resourceTypeId) : all;
  }
  entitlements(): Entitlement[] {
    return [...this.#entitlements.values()].map((r) => copy(r.value));
  }
  grants(): StoredGrant[] {
    return [...this.#grants.values()].map((r) => copy(r.value));
  }
  grantIds(): string[] {
    return [...this.#grants.keys()].sort();
  }

  #writable(): void {
    if (!this.syncId) throw failedPrecondition('baton-fivetran: memory store: no sync started');
    if (this.isEnded) throw failedPrecondition('baton-fivetran: memory store: the sync has ended');
  }

  #put<T>(
    table: StoreWrite['table'],
    map: Map<string, StoredRow<T>>,
    items: readonly T[],
    key: (v: T) => string,
  ) {
    this.#writable();
    this.writes.push({ table, count: items.length });
    for (const item of items) {
      const k = key(item);
      const rowId = map.get(k)?.rowId ?? ++this.#rowId;
      map.set(k, { rowId, value: copy(item) });
    }
  }
}

function copy<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

function page<T>(
  map: Map<string, StoredRow<T>>,
  afterRowId: number,
  limit: number,
  keep: (v: T) => boolean,
): StoredRow<T>[] {
  const rows = [...map.values()].filter((r) => r.rowId > afterRowId && keep(r.value));
  return rows
    .sort((a, b) => a.rowId - b.rowId)
    .slice(0, limit)
    .map((r) => ({ rowId: r.rowId, value: copy(r.value) }));
}

function splitExpansion(grant: Grant): StoredGrant {
  const a = findAnnotation(grant.annotations, 'GrantExpandable');
  if (!a) return { grant };
  const stripped: Grant = { ...grant, annotations: withoutAnnotation(grant.annotations, 'GrantExpandable') };
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  const entitlementIds = strings(a['entitlementIds']);
  if (!entitlementIds.some((id) => id.trim() !== '')) return { grant: stripped };
  const resourceTypeIds = strings(a['resourceTypeIds']);
  const expansion: GrantExpansion = {
    entitlementIds,
    ...(a['shallow'] === true ? { shallow: true } : {}),
    ...(resourceTypeIds.length > 0 ? { resourceTypeIds } : {}),
  };
  return { grant: stripped, expansion };
}
