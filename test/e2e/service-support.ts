// Service-mode e2e support: the real daemon (`node dist/main.js`, no arguments) against the fake control plane
// and the fake Fivetran, plus task payload builders shaped as C1 sends them (fivetran-model.md).
import { request } from 'node:http';
import { afterAll } from '@jest/globals';
import { toStruct } from '../../src/connector/index.js';
import type { Entitlement, Purpose, Resource } from '../../src/connector/index.js';
import {
  startFakeControlPlane,
  type FakeControlPlane,
  type FinishTaskRequest,
  type RecordedCall,
} from '../fakes/control-plane/index.js';
import {
  generateDataset,
  startFakeFivetran,
  type FakeFivetran,
  type FakeUser,
} from '../fakes/fivetran/index.js';
import { CliHarness, fivetranEnv, type CliProcess } from './harness.js';

export const V2 = 'type.googleapis.com/c1.connector.v2';
export const HOST_ID = 'e2e-service-host';

/** A fake control plane and a fake Fivetran with a small dataset, torn down together. */
export interface ServiceWorld {
  readonly c1: FakeControlPlane;
  readonly fivetran: FakeFivetran;
  close(): Promise<void>;
}

export async function startWorld(
  o: {
    seed?: number;
    /** Users in the generated dataset; default 30. */
    users?: number;
    /** Connections in the generated dataset; default 0. */
    connections?: number;
    latencyMs?: number;
    tokenTtlSeconds?: number;
    nextPollMs?: number;
    nextHeartbeatMs?: number;
  } = {},
): Promise<ServiceWorld> {
  const fivetran = await startFakeFivetran({
    dataset: generateDataset({
      seed: o.seed ?? 5,
      users: o.users ?? 30,
      groups: 4,
      teams: 3,
      connections: o.connections ?? 0,
    }),
    ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}),
  });
  const c1 = await startFakeControlPlane({
    nextPollMs: o.nextPollMs ?? 50,
    nextHeartbeatMs: o.nextHeartbeatMs ?? 1000,
    ...(o.tokenTtlSeconds !== undefined ? { tokenTtlSeconds: o.tokenTtlSeconds } : {}),
  });
  return {
    c1,
    fivetran,
    close: async () => {
      await c1.close();
      await fivetran.close();
    },
  };
}

/** One test file's harness and worlds; its `afterAll` cleans the harness up and closes every world. */
export function serviceSuite() {
  const harness = new CliHarness();
  const worlds: ServiceWorld[] = [];
  afterAll(async () => {
    await harness.cleanup();
    await Promise.all(worlds.map((w) => w.close()));
  });
  const newWorld = async (o?: Parameters<typeof startWorld>[0]): Promise<ServiceWorld> => {
    const world = await startWorld(o);
    worlds.push(world);
    return world;
  };
  /** A new world and the daemon started against it. */
  const newService = async (
    worldOptions?: Parameters<typeof startWorld>[0],
    serviceOptions?: ServiceOptions,
  ): Promise<{ world: ServiceWorld; service: Service }> => {
    const world = await newWorld(worldOptions);
    return { world, service: await startService(harness, world, serviceOptions) };
  };
  return { harness, worlds: worlds as readonly ServiceWorld[], newWorld, newService };
}

export interface ServiceOptions {
  /** Sets BATON_PROVISIONING=true; default false (the variable is then absent). */
  readonly provisioning?: boolean;
  /** BATON_C1Z_TEMP_DIR; default a fresh harness temp dir. */
  readonly c1zTempDir?: string;
  readonly graceSeconds?: number;
  readonly env?: Readonly<Record<string, string>>;
}

/** The daemon with the directory it was given for temporary c1z files. */
export interface Service {
  readonly proc: CliProcess;
  readonly c1zTempDir: string;
}

/** The env `demo/main.ts` gives the daemon, pointed at `world`. */
export function serviceEnv(world: ServiceWorld, c1zTempDir: string, o: ServiceOptions = {}) {
  const { c1, fivetran } = world;
  return {
    NODE_EXTRA_CA_CERTS: c1.caPath,
    BATON_CLIENT_ID: c1.clientId,
    BATON_CLIENT_SECRET: c1.clientSecret,
    BATON_C1_API_HOST: c1.host,
    BATON_HOST_ID: HOST_ID,
    ...fivetranEnv(fivetran),
    BATON_OPS_LISTEN_ADDRESS: '127.0.0.1:0',
    BATON_LOG_FORMAT: 'json',
    BATON_SHUTDOWN_GRACE_SECONDS: String(o.graceSeconds ?? 5),
    BATON_C1Z_TEMP_DIR: c1zTempDir,
    ...(o.provisioning ? { BATON_PROVISIONING: 'true' } : {}),
    ...o.env,
  };
}

/** Starts the daemon and waits until the fake control plane has its start-up Hello. */
export async function startService(
  harness: CliHarness,
  world: ServiceWorld,
  o: ServiceOptions = {},
): Promise<Service> {
  const c1zTempDir = o.c1zTempDir ?? (await harness.tempDir('baton-e2e-c1z-'));
  const before = world.c1.hellos().filter((h) => !h.taskId).length;
  const proc = await harness.start([], { env: serviceEnv(world, c1zTempDir, o), hardTimeoutMs: 28_000 });
  try {
    await world.c1.waitFor(
      () => world.c1.hellos().filter((h) => !h.taskId).length > before || proc.exit !== undefined,
      15_000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${proc.describe()}`);
  }
  if (proc.exit) throw new Error(`the daemon exited before its start-up Hello\n${proc.describe()}`);
  return { proc, c1zTempDir };
}

/** SIGTERM, then the exit status (SIGKILL after `timeoutMs`); for afterAll hooks. */
export async function stopService(service: Service | undefined, timeoutMs = 10_000) {
  if (!service) return undefined;
  service.proc.kill('SIGTERM');
  return service.proc.waitForExit(timeoutMs);
}

/** The one FinishTask for `taskId`, with the daemon's output in the error when it never comes. */
export async function finishOf(
  world: ServiceWorld,
  proc: CliProcess,
  taskId: string,
  timeoutMs = 10_000,
): Promise<FinishTaskRequest> {
  try {
    return await world.c1.waitFor(() => world.c1.finishes(taskId)[0], timeoutMs);
  } catch (err) {
    throw new Error(`no FinishTask for ${taskId}: ${(err as Error).message}\n${proc.describe()}`);
  }
}

/** Runs one task to its FinishTask. */
export const runTask = (
  world: ServiceWorld,
  proc: CliProcess,
  kind: string,
  payload: object,
  timeoutMs?: number,
): Promise<FinishTaskRequest> => finishOf(world, proc, world.c1.enqueueTask({ kind, payload }), timeoutMs);

/** The `@type` names (after the package) of a finish's success annotations. */
export const annotationNames = (f: FinishTaskRequest): string[] =>
  (f.success?.annotations ?? []).map((a) => String(a['@type']).slice(V2.length + 1));

/** Fivetran requests that change something (anything but GET/HEAD). */
export const mutatingRequests = (fivetran: FakeFivetran) =>
  fivetran.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');

/** The calls of `method`; with `taskId`, only that task's (by its field, or a stream's first message's metadata). */
export const callsOf = (world: ServiceWorld, method: string, taskId?: string): RecordedCall[] =>
  world.c1.calls.filter((c) => {
    if (c.method !== method) return false;
    if (taskId === undefined) return true;
    const req = c.request;
    if (Array.isArray(req)) {
      const meta = (req[0] as { metadata?: { taskId?: string } } | undefined)?.metadata;
      return meta?.taskId === taskId;
    }
    return (req as { taskId?: string } | undefined)?.taskId === taskId;
  });

/** Grantable users of the fake account: active, no account role, none of the dataset's reserved accounts. */
export function plainUsers(world: ServiceWorld): FakeUser[] {
  const { dataset, state } = world.fivetran;
  const reserved = new Set([dataset.adminUserId, dataset.reviewerUserId, dataset.serviceAccountUserId]);
  return [...state.users.values()].filter((u) => u.active && u.role === null && !reserved.has(u.id));
}

// --- payloads, shaped as the synced resources and entitlements (fivetran-model.md)

export const resource = (resourceType: string, id: string, displayName = id): Resource => ({
  id: { resourceType, resource: id },
  displayName,
});

export const userPrincipal = (id: string): Resource => resource('user', id);

export const entitlement = (
  res: Resource,
  slug: string,
  purpose: Purpose = 'PURPOSE_VALUE_ASSIGNMENT',
): Entitlement => ({
  resource: res,
  id: `${res.id.resourceType}:${res.id.resource}:${slug}`,
  slug,
  displayName: `${res.displayName} ${slug}`,
  purpose,
  grantableTo: [],
});

export const grantPayload = (e: Entitlement, principal: Resource) => ({ entitlement: e, principal });

export const revokePayload = (e: Entitlement, principal: Resource) => ({
  grant: {
    id: `${e.id}:${principal.id.resourceType}:${principal.id.resource}`,
    entitlement: e,
    principal,
  },
});

export const createAccountPayload = (
  email: string,
  givenName: string,
  familyName: string,
  role?: string,
) => ({
  resourceTypeId: 'user',
  accountInfo: {
    emails: [{ address: email, isPrimary: true }],
    login: email,
    profile: toStruct({
      email,
      given_name: givenName,
      family_name: familyName,
      ...(role ? { role } : {}),
    }),
  },
});

// --- secrets and ops

/** The token of a call's `authorization: Bearer <token>` header. */
export const bearerToken = (call: RecordedCall): string | undefined =>
  /^Bearer (\S+)$/.exec(call.authorization ?? '')?.[1];

/** The secrets no output may contain: client secret, its JWK `d`, the Fivetran secret and issued tokens. */
export function secretsOf(world: ServiceWorld): string[] {
  const blob = world.c1.clientSecret.split(':').slice(3).join(':');
  const jwk = JSON.parse(Buffer.from(blob, 'base64url').toString('utf8')) as { d: string };
  const tokens = new Set<string>();
  for (const call of world.c1.calls) {
    const token = bearerToken(call);
    if (token) tokens.add(token);
  }
  return [world.c1.clientSecret, jwk.d, world.fivetran.keys.admin.secret, ...tokens];
}

/** The port from the daemon's `ops server listening` log line. */
export async function opsPort(proc: CliProcess): Promise<number> {
  const line = await proc.waitForLog((l) => l.msg === 'ops server listening', 10_000);
  return Number(line.port);
}

/** Polls an async check every 50 ms until it returns something truthy; rejects after `timeoutMs`. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${String(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET http://127.0.0.1:<port><path> → status and body. */
export function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
