import type { DatabaseSync } from 'node:sqlite';

// The SDK's upsert: a repeated (external_id, sync_id) replaces the data; grants also replace expansion columns.
const UPSERT = 'on conflict (external_id, sync_id) do update set data = excluded.data';

export type WriterStatements = ReturnType<typeof prepareWriterStatements>;

/** Every statement the writer runs per row or per read, prepared once. */
export function prepareWriterStatements(db: DatabaseSync) {
  const grantColumns = 'id, data, expansion';
  return {
    insertSyncRun: db.prepare(
      `insert into v1_sync_runs (sync_id, started_at, ended_at, sync_token, sync_type, parent_sync_id,
         linked_sync_id, supports_diff, grants_backfilled, stats)
       values (?, ?, null, '', ?, '', '', 0, 1, null)`,
    ),
    putResourceType: db.prepare(
      `insert into v1_resource_types (external_id, data, sync_id, discovered_at) values (?, ?, ?, ?) ${UPSERT}`,
    ),
    putResource: db.prepare(
      `insert into v1_resources (resource_type_id, external_id, parent_resource_type_id, parent_resource_id,
         data, sync_id, discovered_at) values (?, ?, ?, ?, ?, ?, ?) ${UPSERT}`,
    ),
    putEntitlement: db.prepare(
      `insert into v1_entitlements (resource_type_id, resource_id, external_id, data, sync_id, discovered_at)
       values (?, ?, ?, ?, ?, ?) ${UPSERT}`,
    ),
    putGrant: db.prepare(
      `insert into v1_grants (resource_type_id, resource_id, entitlement_id, principal_resource_type_id,
         principal_resource_id, external_id, expansion, needs_expansion, data, sync_id, discovered_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ${UPSERT}, expansion = excluded.expansion, needs_expansion = excluded.needs_expansion`,
    ),
    getResource: db.prepare('select data from v1_resources where external_id = ? and sync_id = ?'),
    getEntitlement: db.prepare('select data from v1_entitlements where external_id = ? and sync_id = ?'),
    getGrant: db.prepare(`select ${grantColumns} from v1_grants where external_id = ? and sync_id = ?`),
    // A JSON array of ids in, the stored ones out: one statement, and only the unique index is read.
    storedGrantIds: db.prepare(
      `select j.value as id from json_each(?) j
       where exists (select 1 from v1_grants g where g.external_id = j.value and g.sync_id = ?)`,
    ),
    lastResourceRowId: db.prepare(
      'select coalesce(max(id), 0) as id from v1_resources where sync_id = ? and resource_type_id = ?',
    ),
    listResources: db.prepare(
      `select id, data from v1_resources where sync_id = ? and resource_type_id = ? and id > ? order by id limit ?`,
    ),
    listExpandableGrants: db.prepare(
      `select ${grantColumns} from v1_grants
       where sync_id = ? and expansion is not null and id > ? order by id limit ?`,
    ),
    listGrantRefsForEntitlement: db.prepare(
      `select ${grantColumns}, principal_resource_type_id as principalType, principal_resource_id as principalId,
         resource_type_id as resourceType, resource_id as resourceId, entitlement_id as entitlementId
       from v1_grants where entitlement_id = ? and sync_id = ? and id > ? order by id limit ?`,
    ),
    listGrantsForEntitlement: db.prepare(
      `select ${grantColumns} from v1_grants
       where entitlement_id = ? and sync_id = ? and id > ? order by id limit ?`,
    ),
  };
}
