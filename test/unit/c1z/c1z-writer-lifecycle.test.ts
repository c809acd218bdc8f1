import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { annotations, BatonError, Code } from '../../../src/connector/index.js';
import { C1zWriter } from '../../../src/c1z/index.js';
import {
  account,
  accountType,
  FakeClock,
  grant,
  member,
  team,
  teamType,
  user,
  userType,
} from './fixtures.js';
import { all, one, openRawC1z } from './raw-c1z.js';

let dir: string;
let tempDir: string;
let path: string;
let clock: FakeClock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'c1z-life-'));
  tempDir = mkdtempSync(join(tmpdir(), 'c1z-life-tmp-'));
  path = join(dir, 'out.c1z');
  clock = new FakeClock(new Date(2026, 0, 15, 12, 0, 0).getTime());
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(tempDir, { recursive: true, force: true });
});

const started = (): C1zWriter => {
  const w = C1zWriter.create({ path, tempDir, clock });
  w.startSync('full');
  w.putResourceTypes([accountType, userType, teamType]);
  return w;
};

describe('C1zWriter as a SyncStore', () => {
  it('upserts a duplicate id in place, updating data and the expansion columns', async () => {
    const w = started();
    const t1 = team(1);
    const m = member(t1);
    w.putResources([t1, user(1)]);
    w.putResources([{ ...t1, displayName: 'Renamed' }]);
    w.putGrants([grant(m, team(2), { annotations: [annotations.grantExpandable([member(team(2)).id])] })]);
    w.putGrants([grant(m, team(2))]);
    expect(w.getResource(t1.id)?.displayName).toBe('Renamed');
    expect(w.getGrant(`${m.id}:team:t2`)).toEqual({
      grant: expect.objectContaining({ id: `${m.id}:team:t2` }),
    });
    w.endSync();
    await w.finish();
    const raw = openRawC1z(path);
    try {
      expect(all(raw.db, 'select id, external_id from v1_resources order by id')).toEqual([
        { id: 1, external_id: 'team:t1' },
        { id: 2, external_id: 'user:u1' },
      ]);
      expect(all(raw.db, 'select expansion, needs_expansion from v1_grants')).toEqual([
        { expansion: null, needs_expansion: 0 },
      ]);
      expect(JSON.parse(String(one(raw.db, 'select stats from v1_sync_runs')!.stats))).toMatchObject({
        resources: 2,
        grants: 1,
      });
    } finally {
      raw.close();
    }
  });

  it('reads back what it wrote, paging by row id, with expansions decoded', () => {
    const w = started();
    const [t1, t2] = [team(1), team(2)];
    const [m1, m2] = [member(t1), member(t2)];
    w.putResources([account, t1, t2, user(1), user(2), user(3)]);
    w.putEntitlements([m1, m2]);
    w.putGrants([
      grant(m1, user(1)),
      grant(m2, t1, { annotations: [annotations.grantExpandable([m1.id], { shallow: true })] }),
      grant(m1, user(2)),
      grant(m1, user(3)),
    ]);

    const page1 = w.listResources('user', 0, 2);
    expect(page1.map((r) => r.value.id.resource)).toEqual(['u1', 'u2']);
    const page2 = w.listResources('user', page1.at(-1)!.rowId, 2);
    expect(page2.map((r) => r.value.id.resource)).toEqual(['u3']);
    expect(w.listResources('user', page2[0]!.rowId, 2)).toEqual([]);

    const onM1 = w.listGrantsForEntitlement(m1.id, 0, 2);
    expect(onM1.map((g) => g.value.grant.principal.id.resource)).toEqual(['u1', 'u2']);
    expect(w.listGrantsForEntitlement(m1.id, onM1[1]!.rowId, 10).map((g) => g.value.grant.id)).toEqual([
      `${m1.id}:user:u3`,
    ]);

    const expandable = w.listExpandableGrants(0, 10);
    expect(expandable).toHaveLength(1);
    expect(expandable[0]!.value.expansion).toEqual({ entitlementIds: [m1.id], shallow: true });
    expect(expandable[0]!.value.grant.annotations ?? []).toEqual([]);
    expect(w.getGrant(`${m2.id}:team:t1`)?.expansion).toEqual({ entitlementIds: [m1.id], shallow: true });

    expect(w.getEntitlement(m2.id)).toMatchObject({ id: m2.id, slug: 'member' });
    expect(w.getResource({ resourceType: 'team', resource: 'nope' })).toBeUndefined();
    expect(w.getGrant('nope')).toBeUndefined();
    w.abort();
  });

  it('keeps ended_at, stats and supports_diff unset until the sync marks them', () => {
    const w = started();
    const peek = () => {
      w.flush();
      const db = new DatabaseSync(w.workingDbPath, { readOnly: true });
      try {
        return one(db, 'select ended_at, stats, supports_diff from v1_sync_runs');
      } finally {
        db.close();
      }
    };
    expect(peek()).toEqual({ ended_at: null, stats: null, supports_diff: 0 });
    w.markSupportsDiff();
    expect(peek()).toEqual({ ended_at: null, stats: null, supports_diff: 1 });
    clock.advance(250);
    w.endSync();
    expect(peek()).toMatchObject({ ended_at: '2026-01-15 12:00:00.25', supports_diff: 1 });
    w.abort();
  });

  it('rolls back a page that fails half way', () => {
    const w = started();
    const bad = { ...user(2), id: { resourceType: 'user', resource: '' } };
    expect(() => w.putResources([user(1), bad])).toThrow(
      expect.objectContaining({ code: Code.INVALID_ARGUMENT }),
    );
    expect(w.listResources('user', 0, 10)).toEqual([]);
    w.abort();
  });

  it('keeps the pages put before a failed page of the same batch', () => {
    const w = started();
    w.putResources([user(1)]);
    const bad = { ...user(3), id: { resourceType: 'user', resource: '' } };
    expect(() => w.putResources([user(2), bad])).toThrow(
      expect.objectContaining({ code: Code.INVALID_ARGUMENT }),
    );
    w.putResources([user(4)]);
    expect(w.listResources('user', 0, 10).map((r) => r.value.id.resource)).toEqual(['u1', 'u4']);
    w.abort();
  });

  it('rolls back the batch and refuses further writes when an insert fails half way through a page', () => {
    const w = started();
    w.putResources([user(1)]);
    w.flush();
    // A trigger from another connection makes SQLite refuse the third row of the next page: the first two are
    // in the batch by then, and only the failed statement is rolled back, not the transaction.
    const other = new DatabaseSync(w.workingDbPath);
    other.exec(`create trigger refuse before insert on v1_resources when new.external_id = 'user:u102'
      begin select raise(abort, 'refused by test'); end`);
    other.close();
    w.putResources([user(2)]);
    expect(() => w.putResources([user(100), user(101), user(102), user(103)])).toThrow(
      expect.objectContaining({ code: Code.INTERNAL, message: expect.stringContaining('refused by test') }),
    );
    expect(() => w.putResources([user(3)])).toThrow(
      expect.objectContaining({
        code: Code.FAILED_PRECONDITION,
        message: expect.stringContaining('an earlier write failed and rolled back stored pages'),
      }),
    );
    expect(() => w.flush()).toThrow(expect.objectContaining({ code: Code.FAILED_PRECONDITION }));
    const db = new DatabaseSync(w.workingDbPath, { readOnly: true });
    try {
      expect(all(db, 'select external_id from v1_resources').map((r) => r['external_id'])).toEqual([
        'user:u1',
      ]);
    } finally {
      db.close();
    }
    w.abort();
  });

  it('commits the batch once it holds 20,000 rows, not at every page', () => {
    const w = started();
    const committed = () => {
      const db = new DatabaseSync(w.workingDbPath, { readOnly: true });
      try {
        return one(db, 'select count(*) as n from v1_resources')?.['n'];
      } finally {
        db.close();
      }
    };
    const page = (from: number) => Array.from({ length: 1000 }, (_, i) => user(from + i));
    for (let p = 0; p < 19; p++) w.putResources(page(p * 1000));
    expect(committed()).toBe(0);
    w.putResources(page(19_000));
    expect(committed()).toBe(20_000);
    w.putResources(page(20_000));
    expect(committed()).toBe(20_000);
    w.abort();
  });

  it('refuses every write after a commit that lost the batch', () => {
    const w = started();
    w.putResources([user(1)]);
    // A reader holding a shared lock makes the writer's COMMIT fail (SQLITE_BUSY): the batch is not stored.
    const reader = new DatabaseSync(w.workingDbPath);
    try {
      reader.exec('begin');
      reader.prepare('select count(*) from v1_sync_runs').get();
      expect(() => w.flush()).toThrow(expect.objectContaining({ code: Code.INTERNAL }));
      reader.exec('rollback');
    } finally {
      reader.close();
    }
    const refused = expect.objectContaining({
      code: Code.FAILED_PRECONDITION,
      message: expect.stringContaining('an earlier write failed and rolled back stored pages'),
    });
    expect(() => w.putResources([user(2)])).toThrow(refused);
    expect(() => w.endSync()).toThrow(refused);
    w.abort();
  });

  it('rejects writes before startSync and after endSync', () => {
    const w = C1zWriter.create({ path, tempDir, clock });
    expect(() => w.putResources([user(1)])).toThrow(BatonError);
    w.startSync('full');
    w.endSync();
    expect(() => w.putResources([user(1)])).toThrow(
      expect.objectContaining({ code: Code.FAILED_PRECONDITION }),
    );
    w.abort();
  });

  it('works in the temp dir only and leaves no journal or working files after finish', async () => {
    const w = started();
    w.putResources([user(1)]);
    w.flush();
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tempDir)).toHaveLength(1);
    expect(readdirSync(join(tempDir, readdirSync(tempDir)[0]!))).toEqual(['db']);
    w.endSync();
    await w.finish();
    expect(w.state).toBe('finished');
    expect(readdirSync(dir)).toEqual(['out.c1z']);
    expect(readdirSync(tempDir)).toEqual([]);
    w.abort(); // a no-op once finished
    expect(existsSync(path)).toBe(true);
  });
});

describe('C1zWriter failure paths', () => {
  it('abort removes every working file and writes nothing at path', () => {
    const w = started();
    w.putResources([user(1)]);
    w.abort();
    expect(w.state).toBe('aborted');
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('refuses to finish a sync that has not ended', async () => {
    const w = started();
    await expect(w.finish()).rejects.toMatchObject({ code: Code.FAILED_PRECONDITION });
    expect(existsSync(path)).toBe(false);
    w.abort();
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('never renames into place when the signal is already aborted', async () => {
    const w = started();
    w.endSync();
    const reason = new Error('shutdown');
    await expect(w.finish(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('never renames into place when aborted while compressing', async () => {
    const w = started();
    w.putResources(Array.from({ length: 2000 }, (_, i) => user(i)));
    w.endSync();
    const finishing = w.finish();
    w.abort();
    await expect(finishing).rejects.toMatchObject({ code: Code.FAILED_PRECONDITION });
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('leaves nothing behind when the output folder does not exist', async () => {
    const w = C1zWriter.create({ path: join(dir, 'missing', 'out.c1z'), tempDir, clock });
    w.startSync('full');
    w.endSync();
    await expect(w.finish()).rejects.toMatchObject({ code: Code.INTERNAL });
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tempDir)).toEqual([]);
  });
});
