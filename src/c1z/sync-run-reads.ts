import { resourceKey, type Entitlement, type Resource, type ResourceId } from '../connector/index.js';
import type { StoredGrant, StoredRow } from '../connector/index.js';
import { decodeEntitlement, decodeGrantRow, decodeResource, type GrantDataRow } from './row-decoding.js';
import type { StoredResourceBytes } from './stored-resource-bytes.js';
import type { WriterStatements } from './writer-statements.js';

type GrantRefRow = GrantDataRow & {
  principalType: string;
  principalId: string;
  resourceType: string;
  resourceId: string;
  entitlementId: string;
};

/** The SyncStore reads of a C1zWriter: rows of its one sync run, decoded. The writer checks its state first. */
export class SyncRunReads {
  readonly #stmt: WriterStatements;
  readonly #storedResources: StoredResourceBytes;
  readonly #syncId: string;

  constructor(stmt: WriterStatements, storedResources: StoredResourceBytes, syncId: string) {
    this.#stmt = stmt;
    this.#storedResources = storedResources;
    this.#syncId = syncId;
  }

  getResource(id: ResourceId): Resource | undefined {
    const row = this.#resourceRow(id);
    return row && decodeResource(row.data);
  }

  getPrincipalRef(id: ResourceId): Resource | undefined {
    const row = this.#resourceRow(id);
    return row && this.#storedResources.ref(id, row.data);
  }

  getEntitlement(id: string): Entitlement | undefined {
    const row = this.#stmt.getEntitlement.get(id, this.#syncId) as { data: Uint8Array } | undefined;
    return row && decodeEntitlement(row.data);
  }

  getGrant(id: string): StoredGrant | undefined {
    const row = this.#stmt.getGrant.get(id, this.#syncId) as GrantDataRow | undefined;
    return row && this.#decodeGrantRow(row);
  }

  storedGrantIds(ids: readonly string[]): Set<string> {
    const rows = this.#stmt.storedGrantIds.all(JSON.stringify(ids), this.#syncId) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  lastResourceRowId(resourceTypeId: string): number {
    return (this.#stmt.lastResourceRowId.get(this.#syncId, resourceTypeId) as { id: number }).id;
  }

  listResources(resourceTypeId: string, afterRowId: number, limit: number): StoredRow<Resource>[] {
    const rows = this.#stmt.listResources.all(this.#syncId, resourceTypeId, afterRowId, limit) as {
      id: number;
      data: Uint8Array;
    }[];
    return rows.map((r) => ({ rowId: r.id, value: decodeResource(r.data) }));
  }

  listExpandableGrants(afterRowId: number, limit: number): StoredRow<StoredGrant>[] {
    const rows = this.#stmt.listExpandableGrants.all(
      this.#syncId,
      afterRowId,
      limit,
    ) as unknown as GrantDataRow[];
    return rows.map((r) => ({ rowId: r.id, value: this.#decodeGrantRow(r) }));
  }

  /** With `principalRefs`, principals are frozen `{ id }` stand-ins that `putGrants` writes as stored. */
  listGrantsForEntitlement(
    entitlementId: string,
    afterRowId: number,
    limit: number,
    principalRefs: boolean,
  ): StoredRow<StoredGrant>[] {
    if (principalRefs) {
      const rows = this.#stmt.listGrantRefsForEntitlement.all(
        entitlementId,
        this.#syncId,
        afterRowId,
        limit,
      ) as unknown as GrantRefRow[];
      return rows.map((r) => ({
        rowId: r.id,
        value: this.#storedResources.decodeWithRefs(
          r,
          { resourceType: r.principalType, resource: r.principalId },
          { id: r.entitlementId, resource: { id: { resourceType: r.resourceType, resource: r.resourceId } } },
        ),
      }));
    }
    const rows = this.#stmt.listGrantsForEntitlement.all(
      entitlementId,
      this.#syncId,
      afterRowId,
      limit,
    ) as unknown as GrantDataRow[];
    return rows.map((r) => ({ rowId: r.id, value: this.#decodeGrantRow(r) }));
  }

  #resourceRow(id: ResourceId): { data: Uint8Array } | undefined {
    return this.#stmt.getResource.get(resourceKey(id), this.#syncId) as { data: Uint8Array } | undefined;
  }

  /** Grants read back keep a deep-frozen principal, so writing one again reuses the principal's bytes. */
  #decodeGrantRow(row: GrantDataRow): StoredGrant {
    const stored = decodeGrantRow(row);
    this.#storedResources.trackPrincipal(stored.grant, row.data);
    return stored;
  }
}
