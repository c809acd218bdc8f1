import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import {
  internal,
  isBatonError,
  notFound,
  type Entitlement,
  type Resource,
  type ResourceType,
} from '../connector/index.js';
import type { StoredGrant } from '../connector/index.js';
import { extractC1zDatabase } from './c1z-file.js';
import {
  decodeEntitlement,
  decodeGrantRow,
  decodeResource,
  decodeResourceType,
  type GrantDataRow,
} from './row-decoding.js';
import { computeSyncStats, type SyncStats } from './sync-stats.js';

export interface C1zSyncRun {
  readonly syncId: string;
  readonly startedAt: string;
  /** NULL while the sync is unfinished. */
  readonly endedAt: string | null;
  readonly syncToken: string;
  readonly syncType: string;
  readonly parentSyncId: string;
  readonly linkedSyncId: string;
  readonly supportsDiff: boolean;
  readonly grantsBackfilled: boolean;
  /** The cached stats JSON, as stored. */
  readonly stats: string | null;
}

export interface C1zReaderOptions {
  /** Where to decompress the database; defaults to the OS temp folder. */
  readonly tempDir?: string;
  readonly signal?: AbortSignal;
}

interface SyncRunRow {
  sync_id: string;
  started_at: string;
  ended_at: string | null;
  sync_token: string;
  sync_type: string;
  parent_sync_id: string;
  linked_sync_id: string;
  supports_diff: number;
  grants_backfilled: number;
  stats: string | null;
}

const toSyncRun = (r: SyncRunRow): C1zSyncRun => ({
  syncId: r.sync_id,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  syncToken: r.sync_token,
  syncType: r.sync_type,
  parentSyncId: r.parent_sync_id,
  linkedSyncId: r.linked_sync_id,
  supportsDiff: r.supports_diff === 1,
  grantsBackfilled: r.grants_backfilled === 1,
  stats: r.stats,
});

/**
 * Read-only view of a v1 c1z: decompressed into a private temp folder, opened read-only, removed on close.
 * Sync-scoped reads default to the latest finished sync (falling back to the newest sync of any state).
 */
export class C1zReader {
  readonly path: string;
  readonly #dir: string;
  readonly #db: DatabaseSync;

  private constructor(path: string, dir: string, db: DatabaseSync) {
    this.path = path;
    this.#dir = dir;
    this.#db = db;
  }

  static async open(path: string, opts: C1zReaderOptions = {}): Promise<C1zReader> {
    const dir = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'c1z-read-'));
    try {
      const dbPath = join(dir, 'db');
      await extractC1zDatabase(path, dbPath, opts.signal ? { signal: opts.signal } : {});
      return new C1zReader(path, dir, new DatabaseSync(dbPath, { readOnly: true }));
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if (isBatonError(err) || opts.signal?.aborted) throw err;
      throw internal(`baton-fivetran: open c1z ${path}: ${String(err)}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
    await rm(this.#dir, { recursive: true, force: true });
  }

  syncRuns(): C1zSyncRun[] {
    return (this.#db.prepare('select * from v1_sync_runs order by id').all() as unknown as SyncRunRow[]).map(
      toSyncRun,
    );
  }

  /** The latest sync with ended_at set, as the SDK picks it (ended_at desc, sync_id desc). */
  latestFinishedSync(syncType?: string): C1zSyncRun | undefined {
    const typeFilter = syncType ? 'and sync_type = ?' : '';
    const row = this.#db
      .prepare(
        `select * from v1_sync_runs where ended_at is not null ${typeFilter}
         order by ended_at desc, sync_id desc limit 1`,
      )
      .get(...(syncType ? [syncType] : [])) as SyncRunRow | undefined;
    return row && toSyncRun(row);
  }

  /** The sync that reads default to. */
  defaultSync(): C1zSyncRun {
    const run = this.latestFinishedSync() ?? this.syncRuns().at(-1);
    if (!run) throw notFound(`baton-fivetran: read c1z ${this.path}: the file holds no sync`);
    return run;
  }

  resourceTypes(o: { syncId?: string } = {}): ResourceType[] {
    const rows = this.#db
      .prepare('select data from v1_resource_types where sync_id = ? order by id')
      .all(this.#syncId(o.syncId)) as { data: Uint8Array }[];
    return rows.map((r) => decodeResourceType(r.data));
  }

  *resources(o: { resourceTypeId?: string; syncId?: string } = {}): Generator<Resource> {
    for (const r of this.#iterate('v1_resources', 'data', o.syncId, { resource_type_id: o.resourceTypeId })) {
      yield decodeResource(r.data as Uint8Array);
    }
  }

  *entitlements(
    o: { resourceTypeId?: string; resourceId?: string; syncId?: string } = {},
  ): Generator<Entitlement> {
    const where = { resource_type_id: o.resourceTypeId, resource_id: o.resourceId };
    for (const r of this.#iterate('v1_entitlements', 'data', o.syncId, where)) {
      yield decodeEntitlement(r.data as Uint8Array);
    }
  }

  *grants(o: { entitlementId?: string; syncId?: string } = {}): Generator<StoredGrant> {
    for (const r of this.#iterate('v1_grants', 'id, data, expansion', o.syncId, {
      entitlement_id: o.entitlementId,
    })) {
      yield decodeGrantRow(r as unknown as GrantDataRow);
    }
  }

  /** Counts as the SDK's stats() computes them, from the tables (not the cached column). */
  stats(o: { syncId?: string } = {}): SyncStats {
    const syncId = this.#syncId(o.syncId);
    const run = this.syncRuns().find((r) => r.syncId === syncId);
    return computeSyncStats(this.#db, syncId, run?.syncType ?? 'full');
  }

  #syncId(syncId: string | undefined): string {
    return syncId ?? this.defaultSync().syncId;
  }

  #iterate(
    table: string,
    columns: string,
    syncId: string | undefined,
    filters: Readonly<Record<string, string | undefined>>,
  ): IterableIterator<Record<string, SQLInputValue>> {
    const set = Object.entries(filters).filter((e): e is [string, string] => e[1] !== undefined);
    const where = ['sync_id = ?', ...set.map(([column]) => `${column} = ?`)].join(' and ');
    return this.#db
      .prepare(`select ${columns} from ${table} where ${where} order by id`)
      .iterate(this.#syncId(syncId), ...set.map(([, v]) => v)) as IterableIterator<
      Record<string, SQLInputValue>
    >;
  }
}
