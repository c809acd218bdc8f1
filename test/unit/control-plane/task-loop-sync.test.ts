import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { C1Z_MAGIC } from '../../../src/c1z/index.js';
import { invalidArgument, unavailable } from '../../../src/connector/index.js';
import { MAX_HEARTBEAT_FAILURES } from '../../../src/control-plane/heartbeater.js';
import { createTaskHandlers } from '../../../src/tasks/index.js';
import { eventually, memberOf, team, TestConnector, task, user } from '../tasks/support.js';
import { startLoop } from '../tasks/loop-harness.js';

describe('TaskLoop running the real handlers', () => {
  let tempDir: string;
  beforeEach(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'task-loop-sync-'));
  });
  afterEach(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  const setup = (o: { provisioningEnabled?: boolean; shutdownGraceMs?: number } = {}) => {
    const conn = new TestConnector();
    const handlers = createTaskHandlers({
      registry: conn.registry(),
      provisioningEnabled: o.provisioningEnabled ?? true,
      tempDir,
    });
    return {
      conn,
      ...startLoop({ handlers, ...(o.shutdownGraceMs ? { shutdownGraceMs: o.shutdownGraceMs } : {}) }),
    };
  };

  it('syncs, uploads the c1z, then finishes with success and no response', async () => {
    const h = setup();
    const t = task('syncFull', { skipExpandGrants: true });
    h.client.enqueue(t);
    await h.client.waitForCount('finishTask', 1);
    await h.stop();
    expect(h.client.calls.filter((c) => c.method !== 'getTask').map((c) => c.method)).toEqual([
      'heartbeat',
      'uploadAsset',
      'finishTask',
    ]);
    const [up] = h.client.uploads(t.id);
    expect(up?.bytes.subarray(0, C1Z_MAGIC.length)).toEqual(C1Z_MAGIC);
    expect(up?.sha256).toBe(createHash('sha256').update(up!.bytes).digest('hex'));
    expect(h.client.finishes(t.id)[0]?.result).toEqual({ kind: 'success' });
    expect(await readdir(tempDir)).toEqual([]);
    expect(h.clock.pending).toBe(0);
  });

  it('leaves the task unfinished when the initial heartbeat fails', async () => {
    const h = setup();
    h.client.failNext('heartbeat', unavailable('control plane down'));
    h.client.enqueue(task('syncFull'));
    await eventually(() => h.loop.status().tasksFailed === 1, 'task end');
    await h.stop();
    expect(h.client.finishes()).toEqual([]);
    expect(h.client.uploads()).toEqual([]);
    expect(h.conn.count()).toBe(0);
    expect(h.sink.lines.find((l) => l.msg === 'task ended without FinishTask')).toMatchObject({
      taskType: 'sync_full',
    });
  });

  it('leaves the task unfinished when the initial heartbeat says cancelled', async () => {
    const h = setup();
    h.client.scriptHeartbeats({ nextHeartbeatMs: 0, cancelled: true });
    h.client.enqueue(task('syncFull'));
    await eventually(() => h.loop.status().tasksFailed === 1, 'task end');
    await h.stop();
    expect(h.client.finishes()).toEqual([]);
    expect(h.conn.count()).toBe(0);
  });

  it('finishes CANCELLED, retryable, without uploading when the server cancels mid-sync', async () => {
    const h = setup();
    h.conn.hold.add('list');
    const t = task('syncFull');
    h.client.enqueue(t);
    await eventually(() => h.conn.count('list') > 0, 'sync running');
    h.client.cancelTask(t.id);
    await h.clock.advance(30_000);
    await h.client.waitForCount('finishTask', 1);
    await h.stop();
    expect(h.client.finishes(t.id)[0]?.result).toEqual({
      kind: 'error',
      status: { code: 1, message: 'baton-fivetran: task cancelled by the control plane' },
      nonRetryable: false,
    });
    expect(h.client.uploads()).toEqual([]);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it(`finishes CANCELLED after ${MAX_HEARTBEAT_FAILURES} failed heartbeats`, async () => {
    const h = setup();
    h.conn.hold.add('list');
    const t = task('syncFull');
    h.client.enqueue(t);
    await eventually(() => h.conn.count('list') > 0, 'sync running');
    h.client.failNext('heartbeat', unavailable('flaky'), 100);
    await h.clock.advance(30_000 * MAX_HEARTBEAT_FAILURES);
    await h.client.waitForCount('finishTask', 1);
    await h.stop();
    expect(h.client.finishes(t.id)[0]?.result).toMatchObject({ status: { code: 1 }, nonRetryable: false });
    expect(h.client.count('heartbeat')).toBe(1 + MAX_HEARTBEAT_FAILURES);
    expect(h.client.uploads()).toEqual([]);
  });

  it('retries a failed upload after 1 s, then finishes with success', async () => {
    const h = setup();
    h.client.failNext('uploadAsset', unavailable('baton-fivetran: upload: stream reset'));
    const t = task('syncFull');
    h.client.enqueue(t);
    await h.client.waitForCount('uploadAsset', 1);
    await eventually(() => h.clock.sleeps.includes(1_000), 'the retry wait');
    await h.clock.advance(1_000);
    await h.client.waitForCount('finishTask', 1);
    await h.stop();
    expect(h.client.count('uploadAsset')).toBe(2);
    expect(h.client.finishes(t.id)[0]?.result).toEqual({ kind: 'success' });
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('finishes an upload the server refuses as retryable, never as success, without retrying', async () => {
    const h = setup();
    h.client.failNext('uploadAsset', invalidArgument('baton-fivetran: UploadAsset: checksum mismatch'));
    const t = task('syncFull');
    h.client.enqueue(t);
    await h.client.waitForCount('finishTask', 1);
    await h.stop();
    expect(h.client.count('uploadAsset')).toBe(1);
    expect(h.client.finishes(t.id)[0]?.result).toEqual({
      kind: 'error',
      status: { code: 3, message: 'baton-fivetran: UploadAsset: checksum mismatch' },
      nonRetryable: false,
    });
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('finishes CANCELLED when shutdown outlasts an upload in progress', async () => {
    const h = setup({ shutdownGraceMs: 5_000 });
    h.client.on('uploadAsset', () => new Promise(() => {}));
    const t = task('syncFull');
    h.client.enqueue(t);
    await h.client.waitForCount('uploadAsset', 1);
    h.root.abort(new Error('SIGTERM'));
    await h.clock.advance(5_000);
    await h.done;
    expect(h.client.finishes(t.id)).toEqual([
      expect.objectContaining({
        result: expect.objectContaining({ kind: 'error', status: expect.objectContaining({ code: 1 }) }),
      }),
    ]);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('finishes a grant with provisioning off as FAILED_PRECONDITION, non-retryable, with no connector call', async () => {
    const h = setup({ provisioningEnabled: false });
    const t = task('grant', { entitlement: memberOf(team('t1')), principal: user('u1') });
    h.client.enqueue(t);
    await h.client.waitForCount('finishTask', 1);
    await h.stop();
    expect(h.client.finishes(t.id)[0]?.result).toEqual({
      kind: 'error',
      status: { code: 9, message: 'provisioning is not enabled' },
      nonRetryable: true,
    });
    expect(h.conn.count()).toBe(0);
  });

  it('finishes a malformed revoke as INVALID_ARGUMENT, non-retryable, with no connector call', async () => {
    const h = setup();
    const t = task('revoke', {});
    h.client.enqueue(t);
    await h.client.waitForCount('finishTask', 1);
    await h.stop();
    expect(h.client.finishes(t.id)[0]?.result).toEqual({
      kind: 'error',
      status: { code: 3, message: 'baton-fivetran: malformed revoke task: missing grant' },
      nonRetryable: true,
    });
    expect(h.conn.count()).toBe(0);
  });

  it('finishes a grant with GrantAlreadyExists in Success.annotations', async () => {
    const h = setup();
    h.conn.grantResult = { alreadyExists: true };
    const t = task('grant', { entitlement: memberOf(team('t1')), principal: user('u1') });
    h.client.enqueue(t);
    await h.client.waitForCount('finishTask', 1);
    await h.stop();
    const marker = { '@type': 'type.googleapis.com/c1.connector.v2.GrantAlreadyExists' };
    expect(h.client.finishes(t.id)[0]?.result).toEqual({
      kind: 'success',
      response: {
        '@type': 'type.googleapis.com/c1.connector.v2.GrantManagerServiceGrantResponse',
        annotations: [marker],
        grants: [],
      },
      annotations: [marker],
    });
  });
});
