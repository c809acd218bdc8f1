import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { C1Z_MAGIC, C1zReader } from '../../../src/c1z/index.js';
import { Code, unavailable } from '../../../src/connector/index.js';
import { fullSync, readSyncOptions } from '../../../src/tasks/index.js';
import type { TaskDeps } from '../../../src/tasks/index.js';
import { TestConnector, testContext } from './support.js';

describe('sync_full task', () => {
  let tempDir: string;
  beforeEach(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'full-sync-test-'));
  });
  afterEach(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  const setup = (extra: Partial<TaskDeps> = {}) => {
    const conn = new TestConnector();
    const handler = fullSync({ registry: conn.registry(), tempDir, ...extra });
    const uploaded: { name: string; bytes: Buffer }[] = [];
    const ctx = testContext();
    const order: string[] = ctx.events;
    ctx.upload = async (path) => {
      order.push('upload');
      uploaded.push({ name: basename(path), bytes: await readFile(path) });
    };
    return { conn, handler, ctx, uploaded, order };
  };

  const readUpload = async (bytes: Buffer) => {
    const file = join(tempDir, 'check.c1z');
    await writeFile(file, bytes);
    const reader = await C1zReader.open(file, { tempDir });
    try {
      return { run: reader.defaultSync(), types: reader.resourceTypes().map((t) => t.id) };
    } finally {
      await reader.close();
      await rm(file);
    }
  };

  it('heartbeats, syncs into a temp c1z, uploads it, finishes with no response and removes the file', async () => {
    const { conn, handler, ctx, uploaded, order } = setup();
    const out = await handler.run({ skipExpandGrants: true }, ctx);
    expect(out).toEqual({ kind: 'finish' });
    expect(order).toEqual(['heartbeats', 'upload']);
    expect(conn.calls[0]?.op).toBe('validate');
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0]?.name).toMatch(/^baton-sdk-sync-upload\d+$/);
    expect(uploaded[0]?.bytes.subarray(0, C1Z_MAGIC.length)).toEqual(C1Z_MAGIC);
    const { run, types } = await readUpload(uploaded[0]!.bytes);
    expect(run).toMatchObject({ syncType: 'full', supportsDiff: true });
    expect(run.endedAt).not.toBeNull();
    expect(types.sort()).toEqual(['team', 'user']);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('takes the type filter and skips from the task, the task filter winning over the local one', async () => {
    const { handler, ctx, uploaded } = setup({ syncResourceTypeIds: ['team'] });
    await handler.run({ syncResourceTypeIds: ['user'], skipEntitlementsAndGrants: true }, ctx);
    const { run, types } = await readUpload(uploaded[0]!.bytes);
    expect(types).toEqual(['user']);
    expect(run.syncType).toBe('resources_only');
    expect(readSyncOptions({}, ['team'])).toEqual({
      resourceTypeIds: ['team'],
      skipEntitlementsAndGrants: false,
      skipGrants: false,
      skipExpandGrants: false,
    });
  });

  it('runs a partial sync when the task names targeted_sync_resources, and refuses a target without an id', async () => {
    const { handler, ctx, uploaded, order } = setup();
    await handler.run({ targetedSyncResources: [{ id: { resourceType: 'team', resource: 't1' } }] }, ctx);
    const { run, types } = await readUpload(uploaded[0]!.bytes);
    // A fresh upload file holds no full sync to name as parent.
    expect(run).toMatchObject({ syncType: 'partial', parentSyncId: '', supportsDiff: false });
    expect(types.sort()).toEqual(['team', 'user']);
    const bad = handler.run({ targetedSyncResources: [{ id: { resourceType: 'team' } }] }, ctx);
    await expect(bad).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
      message: 'baton-fivetran: malformed sync task: missing targeted_sync_resources[0].id.resource',
    });
    expect(handler.classify(await bad.catch((e: unknown) => e))).toBe(true);
    await expect(handler.run({ targetedSyncResources: 'team:t1' }, ctx)).rejects.toMatchObject({
      message: 'baton-fivetran: malformed sync task: targeted_sync_resources is not a list',
    });
    expect(order).toEqual(['heartbeats', 'upload']);
  });

  it('rejects malformed options before heartbeating', async () => {
    const { conn, handler, ctx, order } = setup();
    await expect(handler.run({ syncResourceTypeIds: 'user' }, ctx)).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
      message: 'baton-fivetran: malformed sync task: sync_resource_type_ids is not a list of ids',
    });
    await expect(handler.run({ skipGrants: 'yes' }, ctx)).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
    });
    expect(order).toEqual([]);
    expect(conn.count()).toBe(0);
  });

  it('never syncs when the initial heartbeat fails, and leaves no file', async () => {
    const { conn, handler, ctx } = setup();
    ctx.startHeartbeats = async () => {
      throw unavailable('heartbeat down');
    };
    await expect(handler.run({}, ctx)).rejects.toThrow('heartbeat down');
    expect(conn.count()).toBe(0);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('fails retryably without uploading when the sync fails, and removes the temp files', async () => {
    const { conn, handler, ctx, uploaded } = setup();
    conn.fail.validate = unavailable('baton-fivetran: validate: upstream 503');
    const err = await handler.run({}, ctx).catch((e: unknown) => e);
    expect(err).toBe(conn.fail.validate);
    expect(handler.classify(err)).toBe(false);
    expect(uploaded).toEqual([]);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('never uploads a cancelled sync and removes the temp files', async () => {
    const { conn, handler, uploaded } = setup();
    const ac = new AbortController();
    const ctx = testContext({ signal: ac.signal });
    ctx.upload = async () => void uploaded.push({ name: 'x', bytes: Buffer.alloc(0) });
    conn.hold.add('list');
    const running = handler.run({}, ctx);
    while (conn.count('list') === 0) await new Promise((r) => setImmediate(r));
    ac.abort(new Error('cancelled by test'));
    await expect(running).rejects.toThrow('cancelled by test');
    expect(uploaded).toEqual([]);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('fails retryably when the upload fails, and removes the temp file', async () => {
    const { handler, ctx } = setup();
    ctx.upload = async () => {
      throw unavailable('baton-fivetran: upload: stream reset');
    };
    const err = await handler.run({}, ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Code.UNAVAILABLE });
    expect(handler.classify(err)).toBe(false);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('fails when the temp dir does not exist, before syncing', async () => {
    const { conn, handler, ctx } = setup({ tempDir: join(tmpdir(), 'no-such-dir-for-full-sync-test') });
    await expect(handler.run({}, ctx)).rejects.toMatchObject({ code: Code.INTERNAL });
    expect(conn.count()).toBe(0);
  });
});
