// Resilience of the real daemon in service mode: Fivetran 429/5xx/401, and control-plane failures of
// UploadAsset, GetTask, Heartbeat (server cancel) and FinishTask (control-plane.md §4.5, §4.8, §6, §11;
// fivetran-api.md §2.5, §5).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { C1zReader } from '../../src/c1z/index.js';
import type { FinishTaskRequest, RecordedCall, UploadRecord } from '../fakes/control-plane/index.js';
import type { FakeUser } from '../fakes/fivetran/index.js';
import { assertBuilt, c1zPlainBytes, listDir, scanForSecrets, type LogLine } from './harness.js';
import {
  callsOf,
  entitlement,
  finishOf,
  grantPayload,
  resource,
  runTask,
  secretsOf,
  serviceSuite,
  stopService,
  userPrincipal,
  type Service,
  type ServiceWorld,
} from './service-support.js';

assertBuilt();

const INVALID_ARGUMENT = 3;
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;
const CANCELLED = 1;
/** `FivetranClient`'s default `maxRetries` (src/fivetran/client.ts). */
const FIVETRAN_MAX_RETRIES = 4;

const { harness, worlds, newService } = serviceSuite();
const uploaded: Buffer[] = [];

const failureOf = (f: FinishTaskRequest) => ({
  code: f.status?.code,
  message: f.status?.message ?? '',
  nonRetryable: f.error?.nonRetryable ?? false,
  success: f.success !== undefined,
});

/** The bytes an UploadAsset call streamed (its data frames, in order). */
const streamedBytes = (call: RecordedCall): Buffer =>
  Buffer.concat(
    (call.request as { data?: { data: Uint8Array } }[])
      .filter((f) => f.data)
      .map((f) => Buffer.from(f.data!.data)),
  );

/** Opens an uploaded c1z; the caller closes the reader. */
async function openUpload(upload: UploadRecord): Promise<C1zReader> {
  uploaded.push(upload.bytes);
  const file = join(await harness.tempDir('baton-e2e-upload-'), 'uploaded.c1z');
  await writeFile(file, upload.bytes);
  return C1zReader.open(file);
}

const expectedResourceCounts = (world: ServiceWorld) => {
  const { state } = world.fivetran;
  return {
    user: state.users.size,
    group: state.groups.size,
    team: state.teams.size,
    role: state.roles.filter((r) => r.scope.includes('ACCOUNT') && !r.is_deprecated).length,
    connection: state.connections.size,
    system_key: state.systemKeys.size,
  };
};

const isWarn = (l: LogLine) => l.level === 'warn';

/** Temp dirs hold nothing once a task ended. */
async function expectNoLeftovers(service: Service): Promise<void> {
  expect(await listDir(service.c1zTempDir)).toEqual([]);
  expect(await listDir(service.proc.tmpDir)).toEqual([]);
}

describe('Fivetran answering 429, 500 and an HTML 502 once each during a sync', () => {
  let world: ServiceWorld;
  let service: Service;
  let baselineUsersCalls: number;
  let baselinePaths: string[];
  let finish: FinishTaskRequest;
  let taskId: string;
  let reader: C1zReader | undefined;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 51, users: 30 }));
    // A clean sync first: the request pattern the faulted sync must repeat plus exactly the retries.
    const clean = await runTask(world, service.proc, 'syncFull', {}, 15_000);
    expect(clean.success).toBeDefined();
    baselineUsersCalls = world.fivetran.requestCount({ method: 'GET', pathPrefix: '/v1/users' });
    // The role catalogue is cached for 10 minutes (src/fivetran/role-catalogue.ts): the second sync skips it.
    baselinePaths = world.fivetran.requests.map((r) => r.path).filter((p) => p !== '/v1/roles');
    world.fivetran.reset();
    world.fivetran.injectFaults(
      { kind: '429', retryAfterSeconds: 1, match: '/v1/users' },
      { kind: '500', match: '/v1/users' },
      { kind: 'html502', match: '/v1/users' },
    );
    taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    finish = await finishOf(world, service.proc, taskId, 20_000);
    const upload = world.c1.uploads(taskId)[0];
    if (upload) reader = await openUpload(upload);
  }, 30_000);
  afterAll(() => reader?.close());
  afterAll(() => stopService(service));

  it('finishes success with one upload whose c1z has the full resource counts', () => {
    expect(failureOf(finish)).toMatchObject({ code: undefined, success: true });
    expect(world.c1.uploads(taskId)).toHaveLength(1);
    expect(world.c1.uploads(taskId)[0]!.sha256Ok).toBe(true);
    expect(reader?.syncRuns()).toHaveLength(1);
    expect(reader?.stats().resourcesByResourceType).toEqual(expectedResourceCounts(world));
    expect(reader!.stats().grants).toBeGreaterThan(0);
    expect(world.c1.violations).toEqual([]);
  });

  it('made exactly three extra Fivetran requests, the three faulted ones', () => {
    const failed = world.fivetran.requests.filter((r) => r.status >= 400);
    expect(failed.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/v1/users', 429],
      ['GET', '/v1/users', 500],
      ['GET', '/v1/users', 502],
    ]);
    expect(world.fivetran.requestCount({ method: 'GET', pathPrefix: '/v1/users' })).toBe(
      baselineUsersCalls + 3,
    );
    const answered = world.fivetran.requests.filter((r) => r.status < 400).map((r) => r.path);
    expect(answered.sort()).toEqual([...baselinePaths].sort());
    expect(world.fivetran.requests.length).toBe(baselinePaths.length + 3);
  });

  it('logs each retry at warn level, with the endpoint and status', () => {
    const retries = service.proc.logs.filter((l) => l.msg === 'fivetran call will be retried');
    expect(retries.map((l) => [l.level, l.endpoint, l.httpStatus])).toEqual([
      ['warn', '/v1/users', 429],
      ['warn', '/v1/users', 500],
      ['warn', '/v1/users', 502],
    ]);
    expect(retries.every(isWarn)).toBe(true);
    // Retry-After: 1 is honoured as the wait.
    expect(retries[0]!.waitMs).toBe(1000);
    expect(scanForSecrets([service.proc.stdout, service.proc.stderr], secretsOf(world))).toEqual([]);
  });

  it('leaves no temporary file behind', async () => {
    await expectNoLeftovers(service);
  });
});

describe('Fivetran answering 500 to every call of one endpoint', () => {
  let world: ServiceWorld;
  let service: Service;
  let finish: FinishTaskRequest;
  let taskId: string;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 52, users: 12 }));
    world.fivetran.injectFaults(
      ...Array.from({ length: 30 }, () => ({ kind: '500' as const, match: '/v1/roles' })),
    );
    taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    finish = await finishOf(world, service.proc, taskId, 25_000);
  }, 30_000);
  afterAll(() => stopService(service));

  it('finishes UNAVAILABLE, retryable, naming the endpoint, with no upload', async () => {
    expect(failureOf(finish)).toMatchObject({ code: UNAVAILABLE, nonRetryable: false, success: false });
    expect(finish.status?.message).toContain('GET /v1/roles');
    expect(finish.status?.message).toMatch(/^baton-fivetran: /);
    expect(world.c1.uploads(taskId)).toEqual([]);
    expect(world.c1.finishes(taskId)).toHaveLength(1);
    expect(world.c1.violations).toEqual([]);
    await expectNoLeftovers(service);
  });

  it('calls that endpoint at most 1 + max retries times', () => {
    const calls = world.fivetran.requestCount({ method: 'GET', pathPrefix: '/v1/roles' });
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(1 + FIVETRAN_MAX_RETRIES);
    const retries = service.proc.logs.filter(
      (l) => l.msg === 'fivetran call will be retried' && l.endpoint === '/v1/roles',
    );
    expect(retries).toHaveLength(calls - 1);
    expect(retries.every((l) => isWarn(l) && l.httpStatus === 500)).toBe(true);
  });
});

describe('Fivetran answering 401 mid-sync', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 53, users: 12 }, { provisioning: true }));
  }, 30_000);
  afterAll(() => stopService(service));

  it('finishes UNAUTHENTICATED, retryable, no upload; a later grant task still succeeds', async () => {
    world.fivetran.injectFaults({ kind: '401', match: '/v1/teams' });
    const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    const finish = await finishOf(world, service.proc, taskId, 15_000);
    expect(failureOf(finish)).toMatchObject({ code: UNAUTHENTICATED, nonRetryable: false, success: false });
    expect(finish.status?.message).toContain('/v1/teams');
    expect(world.c1.uploads(taskId)).toEqual([]);
    // A 401 is final for the call: sent once, not retried.
    expect(world.fivetran.requests.filter((r) => r.status === 401)).toHaveLength(1);
    await expectNoLeftovers(service);

    const { dataset, state } = world.fivetran;
    const reserved = new Set([dataset.adminUserId, dataset.reviewerUserId, dataset.serviceAccountUserId]);
    const user = [...state.users.values()].find(
      (u: FakeUser) => u.active && u.role === null && !reserved.has(u.id),
    )!;
    const role = entitlement(resource('role', 'Account Billing'), 'assigned');
    const granted = await runTask(world, service.proc, 'grant', grantPayload(role, userPrincipal(user.id)));
    expect(failureOf(granted)).toMatchObject({ code: undefined, success: true });
    expect(state.users.get(user.id)?.role).toBe('Account Billing');
    expect(world.c1.violations).toEqual([]);
  }, 30_000);
});

describe('UploadAsset failures', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 54, users: 12 }));
  }, 30_000);
  afterAll(() => stopService(service));

  it('one failure: retried from byte 0, one good upload, success', async () => {
    world.c1.failNext('UploadAsset', UNAVAILABLE, 1);
    const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    const finish = await finishOf(world, service.proc, taskId, 15_000);
    expect(failureOf(finish)).toMatchObject({ code: undefined, success: true });
    const uploads = world.c1.uploads(taskId);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.sha256Ok).toBe(true);
    const attempts = callsOf(world, 'UploadAsset', taskId);
    expect(attempts.map((c) => c.grpcStatus)).toEqual([UNAVAILABLE, 0]);
    // Both attempts streamed the whole file from its first byte.
    expect(streamedBytes(attempts[0]!).equals(uploads[0]!.bytes)).toBe(true);
    expect(streamedBytes(attempts[1]!).equals(uploads[0]!.bytes)).toBe(true);
    const reader = await openUpload(uploads[0]!);
    try {
      expect(reader.stats().resourcesByResourceType).toEqual(expectedResourceCounts(world));
    } finally {
      reader.close();
    }
    expect(service.proc.logs.some((l) => l.msg === 'upload attempt failed' && isWarn(l))).toBe(true);
    expect(world.c1.violations).toEqual([]);
    await expectNoLeftovers(service);
  }, 30_000);

  it('three failures (one SDK upload round): retried after 1 s, one good upload, success', async () => {
    world.c1.failNext('UploadAsset', UNAVAILABLE, 3);
    const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    const finish = await finishOf(world, service.proc, taskId, 15_000);
    expect(failureOf(finish)).toMatchObject({ code: undefined, success: true });
    expect(world.c1.finishes(taskId)).toHaveLength(1);
    expect(world.c1.uploads(taskId)).toHaveLength(1);
    const attempts = callsOf(world, 'UploadAsset', taskId);
    expect(attempts.map((c) => c.grpcStatus)).toEqual([UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, 0]);
    // The SDK's round is 3 streams 0 s and 1 s apart; the next round follows after our 1 s backoff.
    expect(attempts[3]!.at - attempts[2]!.at).toBeGreaterThanOrEqual(950);
    expect(world.c1.violations).toEqual([]);
    await expectNoLeftovers(service);
  }, 30_000);

  it('a refused upload (INVALID_ARGUMENT) finishes with a retryable error, never a success, no temp file', async () => {
    // Three: the SDK's own round retries any failure 3 times; our retries stop at a code a retry cannot fix.
    world.c1.failNext('UploadAsset', INVALID_ARGUMENT, 3);
    const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    const finish = await finishOf(world, service.proc, taskId, 15_000);
    expect(failureOf(finish)).toMatchObject({ nonRetryable: false, success: false });
    expect(finish.status?.code).toBe(INVALID_ARGUMENT);
    expect(finish.status?.message).toMatch(/^baton-fivetran: .*UploadAsset/);
    expect(world.c1.finishes(taskId)).toHaveLength(1);
    expect(world.c1.uploads(taskId)).toEqual([]);
    expect(callsOf(world, 'UploadAsset', taskId).map((c) => c.grpcStatus)).toEqual([
      INVALID_ARGUMENT,
      INVALID_ARGUMENT,
      INVALID_ARGUMENT,
    ]);
    expect(world.c1.violations).toEqual([]);
    await expectNoLeftovers(service);
  }, 30_000);
});

describe('GetTask failing UNAVAILABLE twice', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 55, users: 8 }));
    // Polling has begun (a GetTask was answered) before the faults are scripted.
    await world.c1.waitFor(() => callsOf(world, 'GetTask').some((c) => c.grpcStatus === 0), 10_000);
  }, 30_000);
  afterAll(() => stopService(service));

  it('backs off 1 s then 4 s, then picks up the queued task', async () => {
    const before = callsOf(world, 'GetTask').length;
    world.c1.failNext('GetTask', UNAVAILABLE, 2);
    const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    const finish = await finishOf(world, service.proc, taskId, 15_000);
    expect(failureOf(finish)).toMatchObject({ code: undefined, success: true });

    const polls = callsOf(world, 'GetTask').slice(before);
    expect(polls.slice(0, 3).map((c) => c.grpcStatus)).toEqual([UNAVAILABLE, UNAVAILABLE, 0]);
    const gap1 = polls[1]!.at - polls[0]!.at;
    const gap2 = polls[2]!.at - polls[1]!.at;
    expect(gap1).toBeGreaterThanOrEqual(950);
    expect(gap1).toBeLessThan(2_000);
    expect(gap2).toBeGreaterThanOrEqual(3_950);
    expect(gap2).toBeLessThan(5_000);
    const warned = service.proc.logs.filter((l) => l.msg === 'GetTask failed, backing off');
    expect(warned.map((l) => [l.level, l.backoffMs])).toEqual([
      ['warn', 1000],
      ['warn', 4000],
    ]);
    expect(world.c1.violations).toEqual([]);
  }, 30_000);
});

describe('the control plane cancelling a slow sync through Heartbeat', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 56, users: 12, latencyMs: 400, nextHeartbeatMs: 1000 }));
  }, 30_000);
  afterAll(() => stopService(service));

  it('finishes CANCELLED, retryable, with no upload and no temp file', async () => {
    const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    await world.c1.waitFor(() => world.c1.heartbeats(taskId)[0], 10_000);
    await world.c1.waitFor(() => world.fivetran.requests.length > 0, 5_000);
    world.c1.cancelTask(taskId);
    const cancelledAt = Date.now();
    const finish = await finishOf(world, service.proc, taskId, 10_000);
    expect(failureOf(finish)).toMatchObject({ code: CANCELLED, nonRetryable: false, success: false });
    // The next heartbeat (1 s interval) carries the cancel; the sync stops well before it would end.
    expect(Date.now() - cancelledAt).toBeLessThan(4_000);
    expect(world.c1.heartbeats(taskId).length).toBeGreaterThanOrEqual(2);
    expect(world.c1.uploads(taskId)).toEqual([]);
    expect(callsOf(world, 'UploadAsset', taskId)).toEqual([]);
    expect(world.c1.finishes(taskId)).toHaveLength(1);
    expect(world.c1.violations).toEqual([]);
    await expectNoLeftovers(service);
    expect(service.proc.exit).toBeUndefined();
  }, 30_000);
});

describe('FinishTask failing once', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 57, users: 8 }));
  }, 30_000);
  afterAll(() => stopService(service));

  it('is retried after 1 s and acknowledged once, and the daemon keeps serving', async () => {
    world.c1.failNext('FinishTask', UNAVAILABLE, 1);
    const first = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    const finish = await finishOf(world, service.proc, first, 15_000);
    expect(failureOf(finish)).toMatchObject({ code: undefined, success: true });
    expect(world.c1.uploads(first)).toHaveLength(1);
    const firstCalls = callsOf(world, 'FinishTask', first);
    expect(firstCalls.map((c) => c.grpcStatus)).toEqual([UNAVAILABLE, 0]);
    expect(firstCalls[1]!.at - firstCalls[0]!.at).toBeGreaterThanOrEqual(950);
    expect(world.c1.finishes(first)).toHaveLength(1);
    const retried = service.proc.logs.find((l) => l.msg === 'FinishTask failed; retrying');
    expect(retried).toMatchObject({ level: 'warn', taskId: first, waitMs: 1000, grpcCode: 'UNAVAILABLE' });
    expect(service.proc.logs.filter((l) => l.msg === 'FinishTask failed')).toEqual([]);

    const second = await runTask(world, service.proc, 'syncFull', {}, 15_000);
    expect(failureOf(second)).toMatchObject({ code: undefined, success: true });
    expect(world.c1.violations).toEqual([]);
    expect(service.proc.exit).toBeUndefined();
  }, 30_000);
});

describe('secrets', () => {
  it('never appear in the output or the uploaded c1z files of this suite', () => {
    const texts: (string | Uint8Array)[] = harness.processes.flatMap((p) => [p.stdout, p.stderr]);
    for (const c1z of uploaded) texts.push(c1z, c1zPlainBytes(c1z));
    for (const w of worlds) texts.push(...w.c1.finishes().map((f) => f.status?.message ?? ''));
    expect(uploaded.length).toBeGreaterThanOrEqual(2);
    expect(harness.processes).toHaveLength(7);
    expect(scanForSecrets(texts, worlds.flatMap(secretsOf))).toEqual([]);
  });
});
