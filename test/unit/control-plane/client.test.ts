import protobuf from 'protobufjs';
import { Code } from '../../../src/connector/index.js';
import { encodeMessage, decodeMessage } from '../../../src/connector/proto.js';
import { grpcTarget, type GrpcBatonClient } from '../../../src/control-plane/grpc-baton-client.js';
import { durationMs, taskFromProto } from '../../../src/control-plane/task-from-proto.js';
import { osInfo, withFallbacks } from '../../../src/control-plane/host-info.js';
import { startFakeControlPlane, type FakeControlPlane } from '../../fakes/control-plane/index.js';
import { clientFor, METADATA, rejection } from './client-harness.js';

const OS_FIELDS = [
  'hostname',
  'os',
  'platform',
  'platformVersion',
  'platformFamily',
  'kernelVersion',
  'kernelArch',
  'virtualizationSystem',
];

describe('GrpcBatonClient against the fake control plane', () => {
  let cp: FakeControlPlane;
  let client: GrpcBatonClient;
  beforeAll(async () => {
    cp = await startFakeControlPlane({ nextPollMs: 1500, nextHeartbeatMs: 2500 });
    client = clientFor(cp);
  });
  afterAll(async () => {
    client.close();
    await cp.close();
  });
  const UNKNOWN_ID = 'A'.repeat(27);
  // the fake lists protocol misuse; only the deliberate unknown-task call below may appear
  afterEach(() => expect(cp.violations.filter((v) => !v.includes(UNKNOWN_ID))).toEqual([]));

  /** Enqueues a task and takes it through GetTask, as the fake only accepts calls for handed-out tasks. */
  async function issued(kind: string, payload: object = {}) {
    const id = cp.enqueueTask({ kind, payload });
    const { task } = await client.getTask();
    expect(task?.id).toBe(id);
    return task!;
  }

  it('says Hello with host_id, build info, all-non-empty os info and the connector metadata', async () => {
    await client.hello('');
    const [hello] = cp.hellos().slice(-1);
    expect(hello).toMatchObject({
      hostId: 'test-host-1',
      buildInfo: {
        langVersion: `node ${process.versions.node}`,
        package: 'baton-fivetran',
        packageVersion: '1.2.3',
      },
      connectorMetadata: METADATA,
    });
    expect(hello?.taskId ?? '').toBe('');
    for (const f of OS_FIELDS) expect(hello?.osInfo?.[f]).toMatch(/\S/);
  });

  it('sends the bearer token, the user agent and a deadline on every call', async () => {
    await client.getTask();
    const call = cp.calls.at(-1)!;
    expect(call.method).toBe('GetTask');
    expect(call.path).toBe('/c1.connectorapi.baton.v1.BatonService/GetTask');
    expect(call.authorization).toMatch(/^Bearer \S+$/);
    expect(call.userAgent).toMatch(/^test-connector baton-fivetran\/1\.2\.3 grpc-node-js\//);
    expect(call.timeoutMs).toBeGreaterThan(20_000);
    expect(call.timeoutMs).toBeLessThanOrEqual(30_000);
    expect(call.request).toEqual({ hostId: 'test-host-1' });
    // one cached token for all the calls of this client so far
    expect(cp.tokenRequests.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('answers a hello task with a Hello carrying its id', async () => {
    const task = await issued('hello');
    await client.hello(task.id);
    expect(cp.hellos().at(-1)?.taskId).toBe(task.id);
  });

  it('reports no task and the next poll interval when the queue is empty', async () => {
    await expect(client.getTask()).resolves.toEqual({ nextPollMs: 1500 });
  });

  it('treats a none task as no task', async () => {
    cp.enqueueTask({ kind: 'none' });
    await expect(client.getTask()).resolves.toEqual({ nextPollMs: 1500 });
    expect(cp.pendingTaskCount).toBe(0);
  });

  it.each([
    ['syncFull', { skipExpandGrants: true, skipEntitlementsAndGrants: true }],
    [
      'grant',
      { entitlement: { id: 'team:1:member', resource: { id: { resourceType: 'team', resource: '1' } } } },
    ],
    ['revoke', { grant: { id: 'g1' } }],
    ['createAccount', { accountInfo: { login: 'jane' } }],
    ['deleteResource', { resourceId: { resourceType: 'user', resource: 'u1' } }],
    ['eventFeed', {}],
    ['listEvents', {}],
  ])('maps a %s task to its kind and payload', async (kind, payload) => {
    const id = cp.enqueueTask({ kind, payload, debug: true });
    const { task } = await client.getTask();
    expect(task).toEqual({ id, kind, payload: expect.objectContaining(payload), debug: true });
  });

  it('heartbeats with task_id only and reads interval and cancellation', async () => {
    const task = await issued('syncFull');
    await expect(client.heartbeat(task.id)).resolves.toEqual({ nextHeartbeatMs: 2500, cancelled: false });
    cp.cancelTask(task.id);
    await expect(client.heartbeat(task.id)).resolves.toEqual({ nextHeartbeatMs: 2500, cancelled: true });
    const sent = cp.heartbeats(task.id);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toEqual({ hostId: 'test-host-1', taskId: task.id });
    await client.finishTask(task.id, { kind: 'success' });
  });

  it('finishes with success: annotations and the response as Any, no status', async () => {
    const task = await issued('revoke', { grant: { id: 'g1' } });
    const response = {
      '@type': 'type.googleapis.com/c1.connector.v2.GrantManagerServiceRevokeResponse',
      annotations: [{ '@type': 'type.googleapis.com/c1.connector.v2.GrantAlreadyRevoked' }],
    } as const;
    await client.finishTask(task.id, {
      kind: 'success',
      response,
      annotations: [{ '@type': 'type.googleapis.com/c1.connector.v2.GrantAlreadyRevoked' }],
    });
    const [finish] = cp.finishes(task.id);
    expect(finish).toEqual({
      hostId: 'test-host-1',
      taskId: task.id,
      finalState: 'success',
      success: {
        annotations: [{ '@type': 'type.googleapis.com/c1.connector.v2.GrantAlreadyRevoked' }],
        response,
      },
    });
  });

  it('finishes a full sync with an empty success', async () => {
    const task = await issued('syncFull');
    await client.finishTask(task.id, { kind: 'success' });
    expect(cp.finishes(task.id)[0]).toEqual({
      hostId: 'test-host-1',
      taskId: task.id,
      finalState: 'success',
      success: {},
    });
  });

  it('finishes with error: google.rpc.Status plus error{non_retryable, annotations}', async () => {
    const task = await issued('grant', {});
    await client.finishTask(task.id, {
      kind: 'error',
      status: {
        code: Code.FAILED_PRECONDITION,
        message: 'provisioning is not enabled\ntask failed and is non-retryable',
      },
      nonRetryable: true,
    });
    expect(cp.finishes(task.id)[0]).toEqual({
      hostId: 'test-host-1',
      taskId: task.id,
      status: { code: 9, message: 'provisioning is not enabled\ntask failed and is non-retryable' },
      finalState: 'error',
      error: { nonRetryable: true },
    });
  });

  it.each([
    [Code.UNAVAILABLE, true],
    [Code.INTERNAL, true],
    [Code.NOT_FOUND, false],
    [Code.PERMISSION_DENIED, false],
    [Code.UNAUTHENTICATED, false],
  ])('maps gRPC code %i to a BatonError with that code (retryable %s)', async (code, retryable) => {
    cp.failNext('GetTask', code);
    const err = await rejection(client.getTask());
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
    expect(err.message).toMatch(/^baton-fivetran: GetTask: /);
  });

  it('surfaces a FinishTask for an unknown task as NOT_FOUND', async () => {
    const err = await rejection(client.finishTask(UNKNOWN_ID, { kind: 'success' }));
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(err.retryable).toBe(false);
  });

  it('cancels a call whose signal aborts, as a non-retryable CANCELLED', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const err = await rejection(client.getTask({ signal: ctl.signal }));
    expect(err.code).toBe(Code.CANCELLED);
    expect(err.retryable).toBe(false);
  });
});

describe('GrpcBatonClient token failures', () => {
  it('fails RPCs with UNAUTHENTICATED when the token endpoint refuses, and recovers after', async () => {
    const cp = await startFakeControlPlane();
    const client = clientFor(cp);
    try {
      cp.failNext('token', 401);
      const err = await rejection(client.hello(''));
      expect(err.code).toBe(Code.UNAUTHENTICATED);
      expect(err.retryable).toBe(false);
      expect(err.message).toBe('baton-fivetran: Hello: failed to get token: 401 Unauthorized');
      expect(cp.calls).toHaveLength(0);
      await client.hello('');
      expect(cp.hellos()).toHaveLength(1);
    } finally {
      client.close();
      await cp.close();
    }
  });

  it('gets a fresh token for each call once expiry minus 10 s has passed', async () => {
    const cp = await startFakeControlPlane({ tokenTtlSeconds: 10 });
    const client = clientFor(cp);
    try {
      await client.getTask();
      await client.getTask();
      expect(cp.tokenRequests.length).toBeGreaterThanOrEqual(2);
      expect(cp.tokenRequests.every((r) => r.valid)).toBe(true);
      const [a, b] = cp.calls.map((c) => c.authorization);
      expect(a).not.toBe(b);
    } finally {
      client.close();
      await cp.close();
    }
  });
});

describe('task and duration decoding', () => {
  it('maps an empty or unknown task_type oneof to kind unknown', () => {
    const known = encodeMessage('c1.connectorapi.baton.v1.Task', { id: 'x'.repeat(27) });
    // field 124: a task type newer than our protos
    const unknown = protobuf.Writer.create()
      .uint32((124 << 3) | 2)
      .bytes(new Uint8Array())
      .finish();
    const bytes = Buffer.concat([known, unknown]);
    const task = taskFromProto(decodeMessage('c1.connectorapi.baton.v1.Task', bytes));
    expect(task).toEqual({ id: 'x'.repeat(27), kind: 'unknown', payload: {} });
    expect(taskFromProto(undefined)).toBeUndefined();
    expect(taskFromProto({ id: 'y', taskType: 'none', none: {} })).toBeUndefined();
  });

  it.each([
    [undefined, 0],
    [{}, 0],
    [{ seconds: 2, nanos: 500_000_000 }, 2500],
    [{ seconds: '300' }, 300_000],
  ])('reads Duration %j as %i ms', (d, ms) => {
    expect(durationMs(d)).toBe(ms);
  });

  it.each([
    ['tenant.conductor.one', 'dns:///tenant.conductor.one:443'],
    ['localhost:8443', 'dns:///localhost:8443'],
    ['[::1]:8443', 'dns:///[::1]:8443'],
  ])('dials %s as %s', (host, target) => {
    expect(grpcTarget(host)).toBe(target);
  });
});

describe('os info fallbacks', () => {
  it('fills empty values in the SDK order', () => {
    const info = withFallbacks({ os: 'linux', kernelArch: 'x86_64' });
    expect(info).toEqual({
      hostname: 'unknown',
      os: 'linux',
      platform: 'linux',
      platformFamily: 'linux',
      kernelVersion: 'unknown',
      platformVersion: 'unknown',
      kernelArch: 'x86_64',
      virtualizationSystem: 'none',
    });
    expect(withFallbacks({ os: 'linux', platform: 'ubuntu', kernelVersion: '6.8.0' })).toMatchObject({
      platformFamily: 'ubuntu',
      platformVersion: '6.8.0',
    });
    expect(withFallbacks({}).kernelArch).toMatch(/\S/);
  });

  it('gathers every field from this host', async () => {
    const info = await osInfo();
    for (const v of Object.values(info)) expect(v).toMatch(/\S/);
    expect(Object.keys(info)).toHaveLength(8);
  });
});
