import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zstdCompressSync } from 'node:zlib';
import { Code } from '../../../src/connector/index.js';
import { C1zReader } from '../../../src/c1z/index.js';
import { writeSampleC1z } from './sample-c1z.js';

let dir: string;
let readDir: string;
let sample: { path: string; syncId: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'c1z-reader-'));
  readDir = mkdtempSync(join(tmpdir(), 'c1z-reader-tmp-'));
  sample = await writeSampleC1z(dir);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(readDir, { recursive: true, force: true });
});

describe('C1zReader', () => {
  it('reads the latest finished sync and the rows written for it', async () => {
    const r = await C1zReader.open(sample.path, { tempDir: readDir });
    try {
      expect(readdirSync(readDir)).toHaveLength(1);
      const run = r.latestFinishedSync();
      expect(run).toMatchObject({
        syncId: sample.syncId,
        syncType: 'full',
        startedAt: '2026-03-03 09:45:13.058',
        endedAt: '2026-03-03 09:45:15.308',
        supportsDiff: true,
        grantsBackfilled: true,
      });
      expect(r.latestFinishedSync('partial')).toBeUndefined();
      expect(r.syncRuns().map((s) => s.syncId)).toEqual([sample.syncId]);
      expect(r.resourceTypes().map((t) => t.id)).toEqual(['account', 'user', 'team']);
      expect([...r.resources({ resourceTypeId: 'user' })].map((u) => u.displayName)).toEqual([
        'User 1',
        'User 2',
        'User 3',
      ]);
      expect([...r.entitlements({ resourceTypeId: 'team', resourceId: 't2' })].map((e) => e.id)).toEqual([
        'team:t2:member',
      ]);
      const onT2 = [...r.grants({ entitlementId: 'team:t2:member' })];
      expect(onT2.map((g) => [g.grant.principal.id.resource, g.expansion])).toEqual([
        ['t1', { entitlementIds: ['team:t1:member'] }],
        ['u3', undefined],
      ]);
      expect([...r.grants()]).toHaveLength(4);
      expect(r.stats()).toEqual({
        resourceTypes: 3,
        resources: 6,
        entitlements: 2,
        grants: 4,
        resourcesByResourceType: { account: 1, user: 3, team: 2 },
        entitlementsByResourceType: { team: 2 },
        grantsByResourceType: { team: 4 },
        assets: 0,
      });
    } finally {
      await r.close();
    }
    expect(readdirSync(readDir)).toEqual([]);
  });

  it('rejects a file with a bad magic header with a clear error', async () => {
    const path = join(dir, 'bad.c1z');
    writeFileSync(path, Buffer.concat([Buffer.from('NOTC1'), zstdCompressSync(Buffer.from('x'))]));
    await expect(C1zReader.open(path, { tempDir: readDir })).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
      message: expect.stringMatching(/^baton-fivetran: open c1z .*bad\.c1z: not a c1z file/),
    });
    expect(readdirSync(readDir)).toEqual([]);
  });

  it('recognises a v3 (Pebble) file and says it is not supported', async () => {
    const path = join(dir, 'v3.c1z');
    writeFileSync(path, Buffer.concat([Buffer.from('C1Z3\0', 'latin1'), Buffer.alloc(8)]));
    await expect(C1zReader.open(path, { tempDir: readDir })).rejects.toMatchObject({
      code: Code.FAILED_PRECONDITION,
      message: expect.stringContaining('v3 (Pebble)'),
    });
  });

  it('rejects an empty file and a corrupt zstd stream', async () => {
    const empty = join(dir, 'empty.c1z');
    writeFileSync(empty, '');
    await expect(C1zReader.open(empty, { tempDir: readDir })).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
    });
    const corrupt = join(dir, 'corrupt.c1z');
    writeFileSync(corrupt, Buffer.concat([Buffer.from('C1ZF\0', 'latin1'), Buffer.from('not zstd at all')]));
    await expect(C1zReader.open(corrupt, { tempDir: readDir })).rejects.toMatchObject({
      code: Code.INTERNAL,
    });
    expect(readdirSync(readDir)).toEqual([]);
  });
});
