// Reliability of the real daemon against control-plane outages, redelivered tasks and temp-dir faults
// (issue 11, defects 4-7): a blip must not crash-loop start-up or discard a finished sync, a task id runs once,
// a bad temp dir fails /ready, and temp files left by a SIGKILL or a second SIGTERM are removed.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { assertBuilt, listDir } from './harness.js';
import {
  callsOf,
  entitlement,
  finishOf,
  grantPayload,
  httpGet,
  mutatingRequests,
  opsPort,
  plainUsers,
  pollUntil,
  resource,
  serviceEnv,
  serviceSuite,
  startService,
  stopService,
  userPrincipal,
  type Service,
  type ServiceWorld,
} from './service-support.js';

assertBuilt();

const CANCELLED = 1;

const { harness, newWorld, newService } = serviceSuite();

const readyStatus = async (port: number) => {
  const r = await httpGet(port, '/ready');
  return {
    status: r.status,
    body: JSON.parse(r.body) as { status: string; details?: Record<string, unknown> },
  };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('defect 4: the control plane unreachable at start-up', () => {
  let world: ServiceWorld;

  beforeAll(async () => {
    world = await newWorld({ seed: 61, users: 6 });
  }, 30_000);

  it('is UNAVAILABLE and retried with /ready 503, then Hello goes through once it is back', async () => {
    await world.c1.goOffline();
    const dir = await harness.tempDir('baton-e2e-c1z-');
    const proc = await harness.start([], { env: serviceEnv(world, dir), hardTimeoutMs: 40_000 });
    try {
      const port = await opsPort(proc);
      // Two failed attempts (waits 1 s, 2 s) while nothing listens: connection refused on the token request.
      const retries = await pollUntil(
        async () => {
          const l = proc.logs.filter((x) => x.msg === 'hello failed; retrying');
          return l.length >= 2 ? l : undefined;
        },
        10_000,
        'two hello retries',
      );
      expect(proc.exit).toBeUndefined();
      expect(retries.map((l) => [l.level, l.grpcCode])).toEqual([
        ['warn', 'UNAVAILABLE'],
        ['warn', 'UNAVAILABLE'],
      ]);
      expect(retries.map((l) => l.waitMs)).toEqual([1000, 2000]);
      const notReady = await readyStatus(port);
      expect(notReady.status).toBe(503);
      expect(notReady.body.details?.error).toMatch(/starting|control plane/);

      await world.c1.goOnline();
      await world.c1.waitFor(() => world.c1.hellos().length > 0, 15_000);
      await pollUntil(async () => (await readyStatus(port)).status === 200, 5_000, '/ready 200');
      expect(proc.exit).toBeUndefined();
    } finally {
      proc.kill('SIGTERM');
      await proc.waitForExit(10_000);
    }
    expect(proc.exit).toEqual({ code: 0, signal: null });
  }, 40_000);

  it('a token endpoint answering 503 twice is retried; a 401 invalid_client still exits 1', async () => {
    world.c1.failNext('token', 503, 2);
    const service = await startService(harness, world);
    const retries = service.proc.logs.filter((l) => l.msg === 'hello failed; retrying');
    expect(retries.map((l) => l.grpcCode)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
    expect(world.c1.tokenRequests.slice(-3).map((t) => t.status)).toEqual([503, 503, 200]);
    await stopService(service);

    world.c1.failNext('token', 401, 1);
    const dir = await harness.tempDir('baton-e2e-c1z-');
    const proc = await harness.run([], { env: serviceEnv(world, dir), timeoutMs: 15_000 });
    expect(proc.exit).toEqual({ code: 1, signal: null });
    expect(proc.plainStderr.join('\n')).toMatch(/startup Hello failed: .*401.*\(UNAUTHENTICATED\)/);
  }, 40_000);
});

describe('defect 4: a 6 s control-plane outage mid-run', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    // 2 s heartbeats: a lease of ~20 s, room for the outage plus grpc-js's reconnect backoff after it.
    ({ world, service } = await newService(
      { seed: 62, users: 10, nextHeartbeatMs: 2000 },
      { provisioning: true },
    ));
  }, 30_000);
  afterAll(() => stopService(service));

  it('during the upload: retried until it is back, one upload, success', async () => {
    world.c1.outageOn('UploadAsset', 6_000);
    const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    const finish = await finishOf(world, service.proc, taskId, 30_000);
    expect(finish.success).toBeDefined();
    expect(world.c1.uploads(taskId)).toHaveLength(1);
    expect(world.c1.uploads(taskId)[0]!.sha256Ok).toBe(true);
    expect(world.c1.finishes(taskId)).toHaveLength(1);
    expect(service.proc.logs.some((l) => l.msg === 'upload failed; retrying' && l.taskId === taskId)).toBe(
      true,
    );
    expect(world.c1.violations).toEqual([]);
    expect(await listDir(service.c1zTempDir)).toEqual([]);
  }, 40_000);
});

// A daemon of its own: the harness kills each one 28 s after its start.
describe('defect 4: a 6 s control-plane outage at FinishTask', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 68, users: 10 }, { provisioning: true }));
  }, 30_000);
  afterAll(() => stopService(service));

  it('of a grant: retried until it is back, finished once', async () => {
    const user = plainUsers(world)[0]!;
    const role = entitlement(resource('role', 'Account Billing'), 'assigned');
    world.c1.outageOn('FinishTask', 6_000);
    const writesBefore = mutatingRequests(world.fivetran).length;
    const taskId = world.c1.enqueueTask({
      kind: 'grant',
      payload: grantPayload(role, userPrincipal(user.id)),
    });
    const finish = await finishOf(world, service.proc, taskId, 30_000);
    expect(finish.success).toBeDefined();
    expect(world.c1.finishes(taskId)).toHaveLength(1);
    expect(mutatingRequests(world.fivetran).length - writesBefore).toBe(1);
    expect(
      service.proc.logs.some((l) => l.msg === 'FinishTask failed; retrying' && l.taskId === taskId),
    ).toBe(true);
    expect(world.c1.violations).toEqual([]);
  }, 40_000);
});

describe('defect 4: an outage longer than the heartbeat lease', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 63, users: 10, nextHeartbeatMs: 1000 }));
  }, 30_000);
  afterAll(() => stopService(service));

  it('gives the upload up when heartbeats are lost and never reports success', async () => {
    // 1 s heartbeats: the lease is lost after 9 failures, ~10 s; the outage lasts 16 s.
    world.c1.outageOn('UploadAsset', 16_000);
    const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    await service.proc.waitForLog(
      (l) => l.taskId === taskId && /heartbeats keep failing/.test(String(l.msg)),
      25_000,
    );
    await service.proc.waitForLog(
      (l) => l.taskId === taskId && /^task (failed|ended)/.test(String(l.msg)),
      10_000,
    );
    // Back online: the daemon polls again, and the task was never reported done.
    await world.c1.waitFor(
      () => world.c1.hellos().length > 0 && callsOf(world, 'GetTask').at(-1)?.grpcStatus === 0,
      15_000,
    );
    const finishes = world.c1.finishes(taskId);
    expect(finishes.filter((f) => f.success)).toEqual([]);
    for (const f of finishes) expect(f.status?.code).toBe(CANCELLED);
    expect(world.c1.uploads(taskId)).toEqual([]);
    expect(world.c1.violations).toEqual([]);
    expect(await listDir(service.c1zTempDir)).toEqual([]);
  }, 45_000);
});

describe('defect 5: the same task id delivered twice', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    ({ world, service } = await newService(
      { seed: 64, users: 12, latencyMs: 150, nextHeartbeatMs: 1000 },
      { provisioning: true },
    ));
  }, 30_000);
  afterAll(() => stopService(service));

  it('a sync redelivered while it runs and after it finished runs once and finishes once', async () => {
    const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    await world.c1.waitFor(() => world.c1.heartbeats(taskId)[0], 10_000);
    world.c1.redeliver(taskId);
    await service.proc.waitForLog((l) => l.msg === 'duplicate task delivery ignored' && l.taskId === taskId);
    const finish = await finishOf(world, service.proc, taskId, 20_000);
    expect(finish.success).toBeDefined();
    world.c1.redeliver(taskId);
    await world.c1.waitFor(
      () => service.proc.logs.filter((l) => l.msg === 'duplicate task delivery ignored').length >= 2,
      10_000,
    );
    // Give a wrong second run time to show: a later task's FinishTask proves the loop moved past the duplicate.
    const later = world.c1.enqueueTask({ kind: 'eventFeed' });
    await finishOf(world, service.proc, later);
    expect(world.c1.finishes(taskId)).toHaveLength(1);
    expect(world.c1.uploads(taskId)).toHaveLength(1);
    // One run: a second would log its own sync start (and list Fivetran again).
    expect(service.proc.logs.filter((l) => l.msg === 'sync started' && l.taskId === taskId)).toHaveLength(1);
    const dupes = service.proc.logs.filter((l) => l.msg === 'duplicate task delivery ignored');
    expect(dupes.map((l) => [l.level, l.taskId, l.state])).toEqual([
      ['warn', taskId, 'in_flight'],
      ['warn', taskId, 'finished'],
    ]);
    expect(world.c1.violations).toEqual([]);
  }, 40_000);

  it('a grant redelivered after it finished writes to Fivetran once; the counter says 3 duplicates', async () => {
    const user = plainUsers(world)[0]!;
    const role = entitlement(resource('role', 'Account Billing'), 'assigned');
    const writesBefore = mutatingRequests(world.fivetran).length;
    const taskId = world.c1.enqueueTask({
      kind: 'grant',
      payload: grantPayload(role, userPrincipal(user.id)),
    });
    await finishOf(world, service.proc, taskId);
    world.c1.redeliver(taskId);
    const later = world.c1.enqueueTask({ kind: 'eventFeed' });
    await finishOf(world, service.proc, later);
    expect(world.c1.finishes(taskId)).toHaveLength(1);
    expect(mutatingRequests(world.fivetran).length - writesBefore).toBe(1);
    const metrics = await httpGet(await opsPort(service.proc), '/metrics');
    expect(metrics.body).toMatch(/^baton_tasks_duplicate_total 3$/m);
    expect(world.c1.violations).toEqual([]);
  }, 30_000);
});

describe('defect 6: temp-dir faults at start-up', () => {
  let world: ServiceWorld;

  beforeAll(async () => {
    world = await newWorld({ seed: 65, users: 6 });
  }, 30_000);

  it('an unwritable temp dir fails /ready with a clear log line and takes no task until it is fixed', async () => {
    const parent = await harness.tempDir('baton-e2e-c1z-');
    // Exists but cannot hold files, even for root: a regular file where the directory should be.
    const tempDir = join(parent, 'c1z');
    await writeFile(tempDir, 'not a directory');
    const proc = await harness.start([], { env: serviceEnv(world, tempDir), hardTimeoutMs: 30_000 });
    try {
      const port = await opsPort(proc);
      const logged = await proc.waitForLog((l) => l.msg === 'c1z temp dir is not writable', 10_000);
      expect(logged).toMatchObject({ level: 'error', dir: tempDir });
      const ready = await readyStatus(port);
      expect(ready.status).toBe(503);
      expect(String(ready.body.details?.error)).toContain(tempDir);
      expect(callsOf(world, 'GetTask')).toEqual([]);

      await rm(tempDir);
      await mkdir(tempDir);
      await pollUntil(async () => (await readyStatus(port)).status === 200, 15_000, '/ready 200');
      const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
      expect((await finishOf(world, proc, taskId, 15_000)).success).toBeDefined();
    } finally {
      proc.kill('SIGTERM');
      await proc.waitForExit(10_000);
    }
  }, 40_000);

  it('removes its own stale temp files left by a SIGKILL, and nothing else', async () => {
    const slow = await newWorld({ seed: 66, users: 20, latencyMs: 300, nextHeartbeatMs: 1000 });
    const first = await startService(harness, slow);
    const dir = first.c1zTempDir;
    const taskId = slow.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    await slow.c1.waitFor(() => slow.c1.heartbeats(taskId)[0], 10_000);
    await pollUntil(
      async () => (await listDir(dir)).some((n) => n.startsWith('.c1z-work-')),
      10_000,
      'a work dir',
    );
    first.proc.kill('SIGKILL');
    await first.proc.waitForExit(5_000);
    const left = await listDir(dir);
    expect(left.some((n) => /^baton-sdk-sync-upload\d+$/.test(n))).toBe(true);
    expect(left.some((n) => /^\.c1z-work-/.test(n))).toBe(true);
    // Look-alikes that are not ours must stay.
    const others = ['baton-sdk-sync-upload', 'baton-sdk-sync-upload12x', 'notes.txt', '.c1z-work-file'];
    for (const name of others) await writeFile(join(dir, name), 'keep');
    await mkdir(join(dir, 'c1z-work-abcdef'));

    const second = await startService(harness, slow, { c1zTempDir: dir });
    try {
      expect((await listDir(dir)).sort()).toEqual([...others, 'c1z-work-abcdef'].sort());
      const line = second.proc.logs.find((l) => l.msg === 'removed stale temp files');
      expect(line).toMatchObject({ level: 'info', dir, count: left.length });
    } finally {
      await stopService(second);
    }
  }, 45_000);
});

describe('defect 7: a second SIGTERM', () => {
  it('is logged, exits 130 and leaves no temp file behind', async () => {
    const { world, service } = await newService(
      { seed: 67, users: 20, latencyMs: 300, nextHeartbeatMs: 1000 },
      { graceSeconds: 60 },
    );
    const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    await world.c1.waitFor(() => world.c1.heartbeats(taskId)[0], 10_000);
    await pollUntil(
      async () => (await listDir(service.c1zTempDir)).some((n) => n.startsWith('.c1z-work-')),
      10_000,
      'a work dir',
    );
    service.proc.kill('SIGTERM');
    await service.proc.waitForLog((l) => l.msg === 'draining in-flight tasks', 5_000);
    await sleep(200);
    service.proc.kill('SIGTERM');
    const exit = await service.proc.waitForExit(5_000);
    expect(exit).toEqual({ code: 130, signal: null });
    const line = service.proc.logs.find((l) => /second signal/.test(String(l.msg)));
    expect(line).toMatchObject({ level: 'warn', signal: 'SIGTERM' });
    expect(await listDir(service.c1zTempDir)).toEqual([]);
  }, 30_000);
});
