import type { DatabaseSync } from 'node:sqlite';
import { rollbackIfActive } from './storage-errors.js';

// The v1 tables exactly as baton-sdk v0.25.0 creates them (c1z-format.md §3), in the SDK's creation order.
// Index names are copied as the SDK spells them: on v1_resources the names do not describe their columns,
// and the SDK's own "create ... if not exists" relies on these exact names.

const SCHEMA_DDL: readonly string[] = [
  `create table if not exists v1_resource_types (
    id integer primary key,
    external_id text not null,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)`,
  'create unique index if not exists idx_resource_types_external_sync_v1 on v1_resource_types (external_id, sync_id)',

  `create table if not exists v1_resources (
    id integer primary key,
    resource_type_id text not null,
    external_id text not null,
    parent_resource_type_id text,
    parent_resource_id text,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)`,
  'create index if not exists idx_resources_resource_type_id_v1 on v1_resources (resource_type_id)',
  'create index if not exists idx_resources_external_sync_v1 on v1_resources (parent_resource_type_id, parent_resource_id)',
  'create unique index if not exists idx_resources_parent_resource_id_v1 on v1_resources (external_id, sync_id)',

  `create table if not exists v1_entitlements (
    id integer primary key,
    resource_type_id text not null,
    resource_id text not null,
    external_id text not null,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)`,
  'create index if not exists idx_entitlements_resource_id_v1 on v1_entitlements (resource_type_id, resource_id)',
  'create unique index if not exists idx_entitlements_external_sync_v1 on v1_entitlements (external_id, sync_id)',

  `create table if not exists v1_sync_runs (
    id integer primary key,
    sync_id text not null,
    started_at datetime not null,
    ended_at datetime,
    sync_token text not null,
    sync_type text not null default 'full',
    parent_sync_id text not null default '',
    linked_sync_id text not null default '',
    supports_diff integer not null default 0,
    grants_backfilled integer not null default 0,
    stats text,
    ingest_invariant_generation text not null default '',
    ingest_invariant_coverage text not null default '',
    ingest_invariant_mode text not null default ''
)`,
  'create unique index if not exists idx_sync_runs_sync_id_v1 on v1_sync_runs (sync_id)',

  `create table if not exists v1_grants (
    id integer primary key,
    resource_type_id text not null,
    resource_id text not null,
    entitlement_id text not null,
    principal_resource_type_id text not null,
    principal_resource_id text not null,
    external_id text not null,
    expansion blob,
    needs_expansion integer not null default 0,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)`,
  'create index if not exists idx_grants_resource_type_id_resource_id_v1 on v1_grants (resource_type_id, resource_id)',
  'create index if not exists idx_grants_principal_id_v1 on v1_grants (principal_resource_type_id, principal_resource_id)',
  'create index if not exists idx_grants_entitlement_id_principal_id_v1 on v1_grants (entitlement_id, principal_resource_type_id, principal_resource_id)',
  'create unique index if not exists idx_grants_external_sync_v1 on v1_grants (external_id, sync_id)',
  'create index if not exists idx_grants_entitlement_sync_grant_v1 on v1_grants (entitlement_id, sync_id, id)',
  // Created by the SDK's grants migration rather than the table schema.
  'create index if not exists idx_grants_sync_expansion_v1 on v1_grants (sync_id) where expansion is not null',
  'create index if not exists idx_grants_sync_needs_expansion_v1 on v1_grants (sync_id) where needs_expansion = 1',

  `create table if not exists v1_assets (
    id integer primary key,
    external_id text not null,
    content_type text not null,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)`,
  'create unique index if not exists idx_assets_external_sync_v1 on v1_assets (external_id, sync_id)',

  `create table if not exists v1_connector_sessions (
    id integer primary key,
    sync_id text NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL
)`,
  'create unique index if not exists idx_session_store_sync_key_v1 on v1_connector_sessions (sync_id, key)',
];

/**
 * Indexes no query of the writer uses. Every insert into an index lands at a random place in it, so the writer
 * builds these once, sorted, after the rows are in (`createDeferredIndexes`), instead of keeping them up to
 * date row by row. The finished file has the same schema either way; only their place in sqlite_master moves.
 */
const DEFERRED_INDEXES: ReadonlySet<string> = new Set([
  'idx_resources_external_sync_v1',
  'idx_entitlements_resource_id_v1',
  'idx_grants_resource_type_id_resource_id_v1',
  'idx_grants_principal_id_v1',
  'idx_grants_entitlement_id_principal_id_v1',
]);

const indexName = (ddl: string): string | undefined => /index if not exists (\w+)/.exec(ddl)?.[1];

/** Creates the tables and indexes; with `deferIndexes`, leaves out those `createDeferredIndexes` adds. */
export function createSchema(db: DatabaseSync, o: { readonly deferIndexes?: boolean } = {}): void {
  const ddls = o.deferIndexes
    ? SCHEMA_DDL.filter((d) => !DEFERRED_INDEXES.has(indexName(d) ?? ''))
    : SCHEMA_DDL;
  inTransaction(db, ddls);
}

/** Creates the indexes `createSchema({ deferIndexes: true })` left out. */
export function createDeferredIndexes(db: DatabaseSync): void {
  inTransaction(
    db,
    SCHEMA_DDL.filter((d) => DEFERRED_INDEXES.has(indexName(d) ?? '')),
  );
}

function inTransaction(db: DatabaseSync, ddls: readonly string[]): void {
  db.exec('begin');
  try {
    for (const ddl of ddls) db.exec(ddl);
    db.exec('commit');
  } catch (err) {
    // On a full disk SQLite has rolled back already: a plain ROLLBACK would throw and hide the cause.
    rollbackIfActive(db);
    throw err;
  }
}
