import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { C1zReader, C1zWriter } from '../../../src/c1z/index.js';
import { linkPartialSyncToParent } from '../../../src/c1z/partial-sync-parent.js';
import { createSchema } from '../../../src/c1z/schema.js';
import type { SyncType } from '../../../src/connector/index.js';
import { FakeClock, team, teamType, user, userType } from './fixtures.js';

let dir: string;
let path: string;
let clock: FakeClock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'c1z-partial-'));
  path = join(dir, 'sync.c1z');
  clock = new FakeClock(new Date(2026, 0, 15, 12, 0, 0).getTime());
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes one finished sync of `type` holding `n` users, into a fresh file or added to `path`. */
async function writeSync(type: SyncType, n: number, append: boolean): Promise<string> {
  const w = append ? await C1zWriter.appendTo({ path, clock }) : C1zWriter.create({ path, clock });
  const id = w.startSync(type);
  w.putResourceTypes([userType, teamType]);
  w.putResources(Array.from({ length: n }, (_, i) => user(i + 1)));
  w.endSync();
  await w.finish();
  clock.nowMs += 60_000;
  return id;
}

const runs = async () => {
  const reader = await C1zReader.open(path);
  try {
    return reader.syncRuns().map((r) => ({ id: r.syncId, type: r.syncType, parent: r.parentSyncId }));
  } finally {
    await reader.close();
  }
};

describe('partial syncs in a c1z', () => {
  it('have no parent in a fresh file (a service-mode upload), like a full sync', async () => {
    const partial = await writeSync('partial', 1, false);
    expect(await runs()).toEqual([{ id: partial, type: 'partial', parent: '' }]);
  });

  it('added to a file, name its latest finished full sync as parent and keep the syncs already there', async () => {
    const older = await writeSync('full', 3, false);
    const full = await writeSync('full', 2, true);
    const first = await writeSync('partial', 1, true);
    // A later partial still points at the full sync, not at the partial before it.
    const second = await writeSync('partial', 1, true);
    expect(await runs()).toEqual([
      { id: older, type: 'full', parent: '' },
      { id: full, type: 'full', parent: '' },
      { id: first, type: 'partial', parent: full },
      { id: second, type: 'partial', parent: full },
    ]);
    const reader = await C1zReader.open(path);
    try {
      // Each sync keeps its own rows and correct stats.
      expect(reader.stats({ syncId: full }).resources).toBe(2);
      expect(reader.stats({ syncId: second }).resources).toBe(1);
      // So do the stats each writer cached, the syncs added to a file as much as the file's first one.
      const cached = Object.fromEntries(
        reader.syncRuns().map((r) => [r.syncId, (JSON.parse(r.stats!) as { resources: number }).resources]),
      );
      expect(cached).toEqual({ [older]: 3, [full]: 2, [first]: 1, [second]: 1 });
      expect([...reader.resources({ syncId: older, resourceTypeId: 'user' })]).toHaveLength(3);
      expect(reader.latestFinishedSync('full')?.syncId).toBe(full);
    } finally {
      await reader.close();
    }
  });

  it('never name an unfinished full sync, nor a later finished partial one, as parent', () => {
    const db = new DatabaseSync(':memory:');
    try {
      createSchema(db);
      const run = db.prepare(
        "insert into v1_sync_runs (sync_id, started_at, ended_at, sync_token, sync_type) values (?, ?, ?, '', ?)",
      );
      run.run('full-done', '2026-01-15 10:00:00', '2026-01-15 10:05:00', 'full');
      run.run('full-open', '2026-01-15 11:00:00', null, 'full');
      run.run('partial-done', '2026-01-15 11:30:00', '2026-01-15 11:31:00', 'partial');
      run.run('partial-new', '2026-01-15 12:00:00', null, 'partial');
      expect(linkPartialSyncToParent(db, 'partial-new')).toBe('full-done');
      expect(
        db.prepare("select parent_sync_id from v1_sync_runs where sync_id = 'partial-new'").get(),
      ).toEqual({
        parent_sync_id: 'full-done',
      });
      // With only an unfinished full sync left, there is no parent.
      db.exec("delete from v1_sync_runs where sync_id = 'full-done'");
      expect(linkPartialSyncToParent(db, 'partial-new')).toBe('');
    } finally {
      db.close();
    }
  });

  it('leave the file as it was when the added sync is aborted', async () => {
    const full = await writeSync('full', 2, false);
    const w = await C1zWriter.appendTo({ path, clock });
    w.startSync('partial');
    w.putResources([team(1)]);
    w.abort();
    expect(await runs()).toEqual([{ id: full, type: 'full', parent: '' }]);
  });

  it('refuse to add to a file that is not a c1z, naming it', async () => {
    writeFileSync(path, 'not a c1z');
    await expect(C1zWriter.appendTo({ path, clock })).rejects.toThrow(/not a c1z file/);
  });
});
