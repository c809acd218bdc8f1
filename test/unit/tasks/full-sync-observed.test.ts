// What a sync_full task reports for the sync metrics: one onSyncEnded per sync, with its outcome, duration,
// c1z size and upload result.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { unavailable } from '../../../src/connector/index.js';
import { fullSync, type SyncEnded } from '../../../src/tasks/index.js';
import { TestConnector, testContext } from './support.js';

describe('sync_full task observation', () => {
  let tempDir: string;
  beforeEach(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'full-sync-observed-'));
  });
  afterEach(() => rm(tempDir, { recursive: true, force: true }));

  const setup = (ctx = testContext()) => {
    const conn = new TestConnector();
    const ended: SyncEnded[] = [];
    const handler = fullSync({ registry: conn.registry(), tempDir, onSyncEnded: (e) => ended.push(e) });
    return { conn, handler, ctx, ended };
  };

  it('reports a success with the size of the uploaded c1z and the upload time', async () => {
    const { handler, ctx, ended } = setup();
    let size = -1;
    ctx.upload = async (path) => void (size = (await readFile(path)).length);
    await handler.run({}, ctx);
    expect(size).toBeGreaterThan(0);
    expect(ended).toEqual([
      {
        outcome: 'success',
        durationMs: expect.any(Number),
        c1zBytes: size,
        upload: { ok: true, durationMs: expect.any(Number) },
      },
    ]);
  });

  it('reports a failed sync as error, with no size and no upload', async () => {
    const { conn, handler, ctx, ended } = setup();
    conn.fail.validate = unavailable('baton-fivetran: validate: upstream 503');
    await expect(handler.run({}, ctx)).rejects.toBe(conn.fail.validate);
    expect(ended).toEqual([{ outcome: 'error', durationMs: expect.any(Number) }]);
  });

  it('reports a failed upload as error, with the size and the failed upload', async () => {
    const { handler, ctx, ended } = setup();
    ctx.upload = async () => {
      throw unavailable('baton-fivetran: upload: stream reset');
    };
    await expect(handler.run({}, ctx)).rejects.toThrow('stream reset');
    expect(ended).toEqual([
      {
        outcome: 'error',
        durationMs: expect.any(Number),
        c1zBytes: expect.any(Number),
        upload: { ok: false, durationMs: expect.any(Number) },
      },
    ]);
  });

  it('reports a cancelled sync as cancelled', async () => {
    const ac = new AbortController();
    const { conn, handler, ctx, ended } = setup(testContext({ signal: ac.signal }));
    conn.hold.add('list');
    const running = handler.run({}, ctx);
    while (conn.count('list') === 0) await new Promise((r) => setImmediate(r));
    ac.abort(new Error('cancelled by test'));
    await expect(running).rejects.toThrow('cancelled by test');
    expect(ended).toEqual([{ outcome: 'cancelled', durationMs: expect.any(Number) }]);
  });
});
