import type { DatabaseSync } from 'node:sqlite';

// The `stats` column: JSON of reader_v2.SyncStats as Go's encoding/json writes it (snake_case keys in field
// order, zero values and empty maps omitted, map keys sorted). The SDK trusts a cached value whose
// resource_types > 0, so every count here comes from the tables, exactly as the SDK's own stats() counts.

export interface SyncStats {
  readonly resourceTypes: number;
  readonly resources: number;
  readonly entitlements: number;
  readonly grants: number;
  readonly resourcesByResourceType: Readonly<Record<string, number>>;
  readonly grantsByResourceType: Readonly<Record<string, number>>;
  readonly entitlementsByResourceType: Readonly<Record<string, number>>;
  readonly assets: number;
}

type CountRow = { resource_type_id: string; n: number };

function countByType(
  db: DatabaseSync,
  table: string,
  syncId: string,
  onlySync: boolean,
): Map<string, number> {
  // Without the sync id, SQLite counts from the (resource_type_id, …) index alone; with it, it walks that index
  // and reads every row from the table: for v1_grants, a read of the whole table (72 MB at 10,000 users).
  const where = onlySync ? '' : 'where sync_id = ?';
  const rows = db
    .prepare(`select resource_type_id, count(*) as n from ${table} ${where} group by resource_type_id`)
    .all(...(onlySync ? [] : [syncId])) as CountRow[];
  return new Map(rows.map((r) => [r.resource_type_id, Number(r.n)]));
}

const sum = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

/** `onlySync`: every row of the database belongs to `syncId` (a new file with one sync), so none is filtered. */
export function computeSyncStats(
  db: DatabaseSync,
  syncId: string,
  syncType: string,
  o: { readonly onlySync?: boolean } = {},
): SyncStats {
  const onlySync = o.onlySync === true;
  const typeIds = (
    db.prepare('select external_id from v1_resource_types where sync_id = ?').all(syncId) as {
      external_id: string;
    }[]
  ).map((r) => r.external_id);
  // Every known type appears, even with 0; resources of unknown types are not counted (as the SDK does).
  const resourceCounts = countByType(db, 'v1_resources', syncId, onlySync);
  const resourcesByType = new Map(typeIds.map((id) => [id, resourceCounts.get(id) ?? 0]));
  const withAccess = syncType !== 'resources_only';
  const entitlementsByType = withAccess
    ? countByType(db, 'v1_entitlements', syncId, onlySync)
    : new Map<string, number>();
  const grantsByType = withAccess
    ? countByType(db, 'v1_grants', syncId, onlySync)
    : new Map<string, number>();
  const assets = db.prepare('select count(*) as n from v1_assets where sync_id = ?').get(syncId) as {
    n: number;
  };
  return {
    resourceTypes: typeIds.length,
    resources: sum(resourcesByType),
    entitlements: sum(entitlementsByType),
    grants: sum(grantsByType),
    resourcesByResourceType: Object.fromEntries(resourcesByType),
    grantsByResourceType: Object.fromEntries(grantsByType),
    entitlementsByResourceType: Object.fromEntries(entitlementsByType),
    assets: Number(assets.n),
  };
}

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

function mapJson(m: Readonly<Record<string, number>>): string {
  const keys = Object.keys(m).sort(byteOrder);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${m[k]}`).join(',')}}`;
}

export function syncStatsJson(s: SyncStats): string {
  const parts: string[] = [];
  const int = (key: string, n: number) => n !== 0 && parts.push(`"${key}":${n}`);
  const map = (key: string, m: Readonly<Record<string, number>>) =>
    Object.keys(m).length > 0 && parts.push(`"${key}":${mapJson(m)}`);
  int('resource_types', s.resourceTypes);
  int('resources', s.resources);
  int('entitlements', s.entitlements);
  int('grants', s.grants);
  map('resources_by_resource_type', s.resourcesByResourceType);
  map('grants_by_resource_type', s.grantsByResourceType);
  map('entitlements_by_resource_type', s.entitlementsByResourceType);
  int('assets', s.assets);
  return `{${parts.join(',')}}`;
}
