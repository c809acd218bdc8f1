import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  EncodeMemo,
  failedPrecondition,
  internal,
  isBatonError,
  prepareProtoCodec,
  systemClock,
  type Clock,
  type Entitlement,
  type Grant,
  type Resource,
  type ResourceId,
  type ResourceType,
} from '../connector/index.js';
import type { StoredGrant, StoredRow, SyncStore, SyncType } from '../connector/index.js';
import { extractC1zDatabase, writeC1zFile } from './c1z-file.js';
import { linkPartialSyncToParent } from './partial-sync-parent.js';
import { newKsuid } from './ksuid.js';
import { StoredResourceBytes } from './stored-resource-bytes.js';
import { entitlementRow, grantRow, resourceRow, resourceTypeRow } from './row-encoding.js';
import { createDeferredIndexes, createSchema } from './schema.js';
import { prepareWriterStatements, type WriterStatements } from './writer-statements.js';
import { sqliteTime } from './sqlite-time.js';
import { computeSyncStats, syncStatsJson } from './sync-stats.js';
import { SyncRunReads } from './sync-run-reads.js';
import { rollbackIfActive, storageError } from './storage-errors.js';

/** The writer's working directory: `<tempDir>/.c1z-work-XXXXXX` (mkdtemp's six characters). */
export const WORK_DIR_PREFIX = '.c1z-work-';

/** Rows put in one transaction before it commits (its journal file holds the pages the batch changed). */
const BATCH_ROWS = 20_000;

export interface C1zWriterOptions {
  /** Where the finished c1z goes. Nothing is written there until `finish` succeeds. */
  readonly path: string;
  /** Folder for the working database; defaults to the folder of `path`. */
  readonly tempDir?: string;
  readonly clock?: Clock;
  /** Random bytes for the sync id (crypto by default). */
  readonly random?: (size: number) => Uint8Array;
}

/**
 * - `open`: working database created, no sync yet
 * - `syncing`: `startSync` called; puts and reads allowed
 * - `ended`: `endSync` called; reads allowed, waiting for `finish`
 * - `finishing`: compressing into place
 * - `finished`: the c1z is at `path`; the working files are gone
 * - `aborted`: closed and cleaned up without writing `path` (by `abort` or a failed `finish`)
 */
export type C1zWriterState = 'open' | 'syncing' | 'ended' | 'finishing' | 'finished' | 'aborted';

/** A SyncStore that writes a v1 (sqlite) c1z: one working SQLite file, compressed into place on `finish`. */
export class C1zWriter implements SyncStore {
  readonly path: string;
  readonly #workDir: string;
  readonly #dbPath: string;
  readonly #db: DatabaseSync;
  readonly #clock: Clock;
  readonly #random: ((size: number) => Uint8Array) | undefined;
  readonly #stmt: WriterStatements;
  readonly #abortFinish = new AbortController();
  readonly #storedResources = new StoredResourceBytes();
  #state: C1zWriterState = 'open';
  #syncId = '';
  #syncType: SyncType = 'full';
  #syncRunReads: SyncRunReads | undefined;
  #rowsWritten = 0;
  #rowsInBatch = 0;
  #lostBatch = false;
  #writeMs = 0;
  #writeCpuUs = 0;

  /** A new file: its one sync is the one this writer writes, so every row is this sync's. */
  readonly #onlySync: boolean;

  private constructor(opts: C1zWriterOptions, workDir: string, onlySync: boolean) {
    this.#onlySync = onlySync;
    this.path = opts.path;
    this.#clock = opts.clock ?? systemClock;
    this.#random = opts.random;
    this.#workDir = workDir;
    this.#dbPath = join(workDir, 'db');
    this.#db = new DatabaseSync(this.#dbPath);
    // A rollback journal deleted at each commit keeps the main file self-contained. A crash loses only the
    // working file, which is discarded anyway, so syncs to disk happen once, on the final c1z. (A journal in
    // memory would hold a copy of every index page a batch touches: RSS growing with the database.) The page
    // cache is capped at 8 MiB: a bigger one only fills with the growing database (44 MiB at 5,000 users)
    // and the pages it evicts are still in the OS cache. 16 KiB pages (SQLite's default is 4 KiB) quarter the
    // reads and writes of those evictions, of the end-of-sync index builds (full scans of v1_grants, whose rows
    // hold ~1.2 KB each) and of the journal: ~0.3 s less CPU at 10,000 users, mostly system time, same RSS.
    // A page size only applies to a new database, so a file added to keeps its own.
    this.#db.exec(
      'pragma page_size = 16384; pragma journal_mode = DELETE; pragma synchronous = OFF; pragma cache_size = -8192',
    );
    createSchema(this.#db, { deferIndexes: true });
    this.#stmt = prepareWriterStatements(this.#db);
  }

  static create(opts: C1zWriterOptions): C1zWriter {
    const workDir = mkdtempSync(join(opts.tempDir ?? dirname(opts.path), WORK_DIR_PREFIX));
    try {
      return new C1zWriter(opts, workDir, true);
    } catch (err) {
      rmSync(workDir, { recursive: true, force: true });
      throw storageError(err, `create c1z working database for ${opts.path}`, dirname(workDir));
    }
  }

  /**
   * A writer that keeps the syncs already in the c1z at `opts.path` and adds its own, as the SDK's one-shot
   * sync extends an existing file. The file is read now and replaced only by `finish`.
   */
  static async appendTo(opts: C1zWriterOptions, signal?: AbortSignal): Promise<C1zWriter> {
    const workDir = mkdtempSync(join(opts.tempDir ?? dirname(opts.path), WORK_DIR_PREFIX));
    try {
      await extractC1zDatabase(opts.path, join(workDir, 'db'), signal ? { signal } : {});
      return new C1zWriter(opts, workDir, false);
    } catch (err) {
      rmSync(workDir, { recursive: true, force: true });
      if (isBatonError(err) || signal?.aborted) throw err;
      throw internal(`baton-fivetran: open ${opts.path} to add a sync: ${String(err)}`, { cause: err });
    }
  }

  get state(): C1zWriterState {
    return this.#state;
  }

  get syncId(): string {
    return this.#syncId;
  }

  prepare(): void {
    prepareProtoCodec();
  }

  startSync(syncType: SyncType): string {
    this.#expect(['open'], 'start sync');
    const now = this.#clock.now();
    this.#syncId = newKsuid(now, this.#random);
    this.#syncType = syncType;
    this.#stmt.insertSyncRun.run(this.#syncId, sqliteTime(now), syncType);
    if (syncType === 'partial') linkPartialSyncToParent(this.#db, this.#syncId);
    this.#state = 'syncing';
    return this.#syncId;
  }

  putResourceTypes(items: readonly ResourceType[]): void {
    this.#page('put resource types', items, resourceTypeRow, (row, at) => {
      this.#stmt.putResourceType.run(row.externalId, row.data, this.#syncId, at);
    });
  }

  putResources(items: readonly Resource[]): void {
    this.#page('put resources', items, resourceRow, (row, at) => {
      this.#stmt.putResource.run(
        row.resourceTypeId,
        row.externalId,
        row.parentResourceTypeId,
        row.parentResourceId,
        row.data,
        this.#syncId,
        at,
      );
    });
  }

  putEntitlements(items: readonly Entitlement[]): void {
    const memo = new EncodeMemo();
    this.#page(
      'put entitlements',
      items,
      (e) => entitlementRow(e, memo),
      (row, at) => {
        this.#stmt.putEntitlement.run(
          row.resourceTypeId,
          row.resourceId,
          row.externalId,
          row.data,
          this.#syncId,
          at,
        );
      },
    );
  }

  putGrants(items: readonly Grant[]): void {
    const memo = new EncodeMemo();
    const stored = this.#storedResources;
    const toRow = (g: Grant) => grantRow(g, stored.bytesOf(g.principal), memo, stored.bytesOf(g.entitlement));
    this.#page('put grants', items, toRow, (row, at) => {
      this.#stmt.putGrant.run(
        row.resourceTypeId,
        row.resourceId,
        row.entitlementId,
        row.principalResourceTypeId,
        row.principalResourceId,
        row.externalId,
        row.expansion,
        row.needsExpansion,
        row.data,
        this.#syncId,
        at,
      );
    });
  }

  getResource(id: ResourceId): Resource | undefined {
    return this.#reads('get resource').getResource(id);
  }

  /** A frozen `{ id }` standing for the stored resource; `putGrants` writes the stored bytes in its place. */
  getPrincipalRef(id: ResourceId): Resource | undefined {
    return this.#reads('get resource').getPrincipalRef(id);
  }

  getEntitlement(id: string): Entitlement | undefined {
    return this.#reads('get entitlement').getEntitlement(id);
  }

  getGrant(id: string): StoredGrant | undefined {
    return this.#reads('get grant').getGrant(id);
  }

  storedGrantIds(ids: readonly string[]): ReadonlySet<string> {
    return this.#reads('get grants').storedGrantIds(ids);
  }

  listResources(resourceTypeId: string, afterRowId: number, limit: number): StoredRow<Resource>[] {
    return this.#reads('list resources').listResources(resourceTypeId, afterRowId, limit);
  }

  lastResourceRowId(resourceTypeId: string): number {
    return this.#reads('list resources').lastResourceRowId(resourceTypeId);
  }

  listExpandableGrants(afterRowId: number, limit: number): StoredRow<StoredGrant>[] {
    return this.#reads('list expandable grants').listExpandableGrants(afterRowId, limit);
  }

  /**
   * With `principalRefs`, principals are frozen `{ id }` and entitlements frozen `{ id, resource: { id } }`
   * stand-ins that `putGrants` writes as stored.
   */
  listGrantsForEntitlement(
    entitlementId: string,
    afterRowId: number,
    limit: number,
    options?: { readonly principalRefs?: boolean },
  ): StoredRow<StoredGrant>[] {
    const reads = this.#reads('list grants for entitlement');
    return reads.listGrantsForEntitlement(entitlementId, afterRowId, limit, options?.principalRefs === true);
  }

  markSupportsDiff(): void {
    this.#expect(['syncing'], 'mark supports diff');
    this.#commitBatch('mark supports diff');
    this.#db.prepare('update v1_sync_runs set supports_diff = 1 where sync_id = ?').run(this.#syncId);
  }

  endSync(): void {
    this.#expect(['syncing'], 'end sync');
    this.#commitBatch('end sync');
    try {
      createDeferredIndexes(this.#db);
    } catch (err) {
      rollbackIfActive(this.#db);
      throw storageError(err, `end sync in c1z ${this.path}`, dirname(this.#workDir));
    }
    this.#transaction('end sync', () => {
      this.#db
        .prepare('update v1_sync_runs set ended_at = ? where sync_id = ? and ended_at is null')
        .run(sqliteTime(this.#clock.now()), this.#syncId);
      const stats = computeSyncStats(this.#db, this.#syncId, this.#syncType, { onlySync: this.#onlySync });
      this.#db
        .prepare('update v1_sync_runs set stats = ? where sync_id = ?')
        .run(syncStatsJson(stats), this.#syncId);
    });
    this.#state = 'ended';
  }

  /** Closes the database and compresses it into `path` (temp file, fsync, rename). Needs an ended sync. */
  async finish(signal?: AbortSignal): Promise<void> {
    this.#expect(['ended'], 'finish');
    this.#state = 'finishing';
    const finishSignal = signal
      ? AbortSignal.any([signal, this.#abortFinish.signal])
      : this.#abortFinish.signal;
    try {
      finishSignal.throwIfAborted();
      this.#db.close();
      const leftovers = readdirSync(this.#workDir).filter((f) => f !== 'db');
      if (leftovers.length > 0) {
        throw internal(
          `baton-fivetran: finish c1z ${this.path}: database not self-contained (${leftovers.join(', ')})`,
        );
      }
      await writeC1zFile(this.#dbPath, this.path, { signal: finishSignal });
      this.#state = 'finished';
    } catch (err) {
      this.#state = 'aborted';
      if (finishSignal.aborted) throw finishSignal.reason;
      throw storageError(err, `finish c1z ${this.path}`, dirname(this.path));
    } finally {
      if (this.#db.isOpen) this.#db.close();
      rmSync(this.#workDir, { recursive: true, force: true });
    }
  }

  /** Closes and removes every working file; `path` is never written. A no-op once finished. */
  abort(): void {
    if (this.#state === 'finished' || this.#state === 'aborted') return;
    const wasFinishing = this.#state === 'finishing';
    this.#state = 'aborted';
    this.#abortFinish.abort(failedPrecondition(`baton-fivetran: write c1z ${this.path}: aborted`));
    if (!wasFinishing && this.#db.isOpen) this.#db.close();
    rmSync(this.#workDir, { recursive: true, force: true });
  }

  /**
   * Rows put so far, and the time spent in the puts (row encoding, SQLite, commits): elapsed, and CPU time of
   * the calling thread meanwhile (steadier than elapsed time on a busy machine). The thread's own clock leaves
   * out V8's compiler and GC helper threads; the process-wide one sums every thread, and reading it cost about
   * 10 µs a call in a sync's profile, against 4 µs.
   */
  get writeStats(): { readonly rows: number; readonly ms: number; readonly cpuMs: number } {
    return { rows: this.#rowsWritten, ms: this.#writeMs, cpuMs: this.#writeCpuUs / 1000 };
  }

  /** Commits the pages put so far, so that another connection to the working file sees them. */
  flush(): void {
    this.#expect(['syncing', 'ended'], 'flush');
    this.#commitBatch('flush');
  }

  /** The working SQLite file (for diagnostics; it disappears on finish or abort). */
  get workingDbPath(): string {
    return this.#dbPath;
  }

  /** Whether the working directory still exists. */
  get hasWorkingFiles(): boolean {
    return existsSync(this.#workDir);
  }

  #reads(action: string): SyncRunReads {
    this.#expect(['syncing', 'ended'], action);
    this.#syncRunReads ??= new SyncRunReads(this.#stmt, this.#storedResources, this.#syncId);
    return this.#syncRunReads;
  }

  /**
   * Puts one page atomically. Pages share one transaction until it holds BATCH_ROWS rows, because a commit
   * writes back every index page the transaction touched: committing per page rewrote the same pages hundreds
   * of times. The whole page is encoded before its first insert, so a bad item rejects the page with nothing
   * stored and the writer goes on. (A savepoint per page did the same at a price: SQLite copied every page a
   * savepoint touched into a statement journal, 236 MB of temp-file writes at 10,000 users.) An insert that
   * fails is a storage failure: the batch is rolled back and the writer refuses further writes.
   */
  #page<T, R>(
    action: string,
    items: readonly T[],
    toRow: (item: T) => R,
    insert: (row: R, discoveredAt: string) => void,
  ): void {
    this.#expect(['syncing'], action);
    if (items.length === 0) return;
    const started = performance.now();
    const cpuStarted = process.threadCpuUsage();
    let rows: R[];
    try {
      rows = items.map(toRow);
    } catch (err) {
      throw storageError(err, `${action} in c1z ${this.path}`, dirname(this.#workDir));
    }
    const discoveredAt = sqliteTime(this.#clock.now());
    try {
      if (!this.#db.isTransaction) {
        this.#db.exec('begin');
        this.#rowsInBatch = 0;
      }
      for (const row of rows) insert(row, discoveredAt);
    } catch (err) {
      // Rows of this page may be in the batch already: it cannot be kept without them.
      rollbackIfActive(this.#db);
      this.#lostBatch = true;
      throw storageError(err, `${action} in c1z ${this.path}`, dirname(this.#workDir));
    }
    this.#rowsInBatch += items.length;
    if (this.#rowsInBatch >= BATCH_ROWS) this.#commitBatch(action);
    this.#rowsWritten += items.length;
    this.#writeMs += performance.now() - started;
    const cpu = process.threadCpuUsage(cpuStarted);
    this.#writeCpuUs += cpu.user + cpu.system;
  }

  #commitBatch(action: string): void {
    if (!this.#db.isOpen || !this.#db.isTransaction) return;
    try {
      this.#db.exec('commit');
    } catch (err) {
      // A failed commit leaves the batch's pages unstored (SQLite rolls back or keeps a transaction we drop).
      rollbackIfActive(this.#db);
      this.#lostBatch = true;
      throw storageError(err, `${action} in c1z ${this.path}`, dirname(this.#workDir));
    }
  }

  #transaction(action: string, fn: () => void): void {
    this.#commitBatch(action);
    this.#db.exec('begin');
    try {
      fn();
      this.#db.exec('commit');
    } catch (err) {
      rollbackIfActive(this.#db);
      throw storageError(err, `${action} in c1z ${this.path}`, dirname(this.#workDir));
    }
  }

  #expect(states: readonly C1zWriterState[], action: string): void {
    if (this.#lostBatch && this.#state === 'syncing') {
      throw failedPrecondition(
        `baton-fivetran: ${action} in c1z ${this.path}: an earlier write failed and rolled back stored pages`,
      );
    }
    if (!states.includes(this.#state)) {
      throw failedPrecondition(
        `baton-fivetran: ${action} in c1z ${this.path}: writer is ${this.#state}, expected ${states.join(' or ')}`,
      );
    }
  }
}
