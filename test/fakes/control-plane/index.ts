import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import {
  createSecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, decodeMessage, encodeMessage, protoRoot } from '../../../src/connector/index.js';
import {
  BatonServiceFake,
  METHODS,
  SERVICE,
  requestType,
  responseType,
  type FinishTaskRequest,
  type HeartbeatRequest,
  type HelloRequest,
  type MethodName,
} from './baton-service.js';
import { createClientCredentials } from './client-credentials.js';
import { FaultPlan, type FaultTarget } from './fault-plan.js';
import { serveGrpcCall, type GrpcCallInfo, type GrpcOutcome, type RecordedCall } from './grpc-call.js';
import { GrpcFailure, splitMessages } from './grpc-wire.js';
import { TaskQueue, type TaskSpec } from './task-queue.js';
import { createTestPki } from './test-ca.js';
import { TokenIssuer, type RecordedTokenRequest } from './token-issuer.js';
import { serveTokenRequest, TOKEN_PATH, type PlainResponse } from './token-route.js';
import type { UploadRecord } from './upload-assembler.js';

export type { FinishTaskRequest, HeartbeatRequest, HelloRequest } from './baton-service.js';
export { OS_INFO_FIELDS } from './baton-service.js';
export type { FaultTarget } from './fault-plan.js';
export type { RecordedCall } from './grpc-call.js';
export type { TaskSpec } from './task-queue.js';
export type { RecordedTokenRequest } from './token-issuer.js';
export type { UploadRecord } from './upload-assembler.js';
export { createTestPki, type TestPki } from './test-ca.js';

export interface FakeControlPlaneOptions {
  /** expires_in of issued tokens; default 3600. With 0 the server still honours a token for 60 s. */
  readonly tokenTtlSeconds?: number;
  /** token_type answered; default 'bearer'. RPCs must carry it normalized as the SDK does (`Bearer`, …). */
  readonly tokenType?: string;
  /** GetTask(s) next_poll; default 100 ms. */
  readonly nextPollMs?: number;
  /** Heartbeat next_heartbeat; default 1000 ms. */
  readonly nextHeartbeatMs?: number;
  /** Where ca.pem goes; default a fresh temp dir, removed by close(). */
  readonly dir?: string;
  /** Wall clock (ms) for token expiry and assertion time checks; default Date.now. */
  readonly now?: () => number;
}

export interface FakeControlPlane {
  /** 'localhost:PORT', for BATON_C1_API_HOST. */
  readonly host: string;
  readonly port: number;
  /** PEM file of the test CA, for NODE_EXTRA_CA_CERTS or grpc root certs. */
  readonly caPath: string;
  readonly caPem: string;
  /** 'test-connector@c1.example.test/pcc': the assertion aud must be 'c1.example.test'. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Queues a task for GetTask(s); `kind` is the Task.task_type oneof in camelCase. Returns its 27-char id. */
  enqueueTask(t: TaskSpec): string;
  /** Delivers an already handed-out task again, with the same id, at the front of the queue. */
  redeliver(taskId: string): void;
  /**
   * A network outage: stops listening and drops every open connection, so clients get connection refused
   * (token endpoint and gRPC alike) until `goOnline`, which listens on the same port again.
   */
  goOffline(): Promise<void>;
  goOnline(): Promise<void>;
  /**
   * The next call of `method` ('token' for the token endpoint) starts an outage instead of being answered:
   * its connection and every other one is dropped and the fake stays offline for `ms`, then comes back.
   */
  outageOn(method: FaultTarget, ms: number): void;
  /** From now on, Heartbeat for that task answers cancelled = true. */
  cancelTask(taskId: string): void;
  /** The next `count` (default 1) calls answer `code` (a gRPC code, or an HTTP status for 'token'). */
  failNext(method: FaultTarget, code: number, count?: number): void;
  /** Makes every token issued so far invalid: the next RPC with one gets UNAUTHENTICATED. */
  expireTokens(): void;
  readonly calls: readonly RecordedCall[];
  readonly tokenRequests: readonly RecordedTokenRequest[];
  /** Things the SDK never does (duplicate FinishTask, FinishTask for hello, empty os_info, …). */
  readonly violations: readonly string[];
  readonly pendingTaskCount: number;
  /** Requests the service accepted (past auth, failNext and validation), in arrival order. */
  hellos(): HelloRequest[];
  finishes(taskId?: string): FinishTaskRequest[];
  heartbeats(taskId?: string): HeartbeatRequest[];
  /** Well-formed upload streams (whatever their checksum), in arrival order. */
  uploads(taskId?: string): UploadRecord[];
  /** Polls `fn` every 10 ms until it returns something truthy; rejects after `timeoutMs` (default 5000). */
  waitFor<T>(fn: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

const taskKinds = (): string[] =>
  protoRoot()
    .lookupType('c1.connectorapi.baton.v1.Task')
    .oneofs.taskType!.fieldsArray.map((f) => f.name);

const byTask = <T extends { taskId?: string }>(list: readonly T[], taskId?: string): T[] =>
  list.filter((x) => taskId === undefined || x.taskId === taskId);

/**
 * A fake ConductorOne control plane on one loopback TLS port: the OAuth token endpoint (HTTP/1.1 or HTTP/2)
 * and c1.connectorapi.baton.v1.BatonService (gRPC, framed by hand), with a CA generated at start-up.
 */
export async function startFakeControlPlane(opts: FakeControlPlaneOptions = {}): Promise<FakeControlPlane> {
  const now = opts.now ?? Date.now;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'fake-c1-')));
  const pki = createTestPki(new Date(now()));
  const caPath = join(dir, 'ca.pem');
  await writeFile(caPath, pki.caPem);

  const creds = createClientCredentials();
  const issuer = new TokenIssuer({
    ttlSeconds: opts.tokenTtlSeconds ?? 3600,
    tokenType: opts.tokenType ?? 'bearer',
    now,
  });
  const faults = new FaultPlan();
  const queue = new TaskQueue();
  const kinds = taskKinds();
  const service = new BatonServiceFake({
    queue,
    nextPollMs: opts.nextPollMs ?? 100,
    nextHeartbeatMs: opts.nextHeartbeatMs ?? 1000,
  });
  const calls: RecordedCall[] = [];
  const tokenRequests: RecordedTokenRequest[] = [];

  const serveCall = (info: GrpcCallInfo, body: Buffer): GrpcOutcome => {
    const method = info.method as MethodName;
    if (info.path !== `/${SERVICE}/${method}` || !Object.hasOwn(METHODS, method))
      return { code: Code.UNIMPLEMENTED, message: `unknown method ${info.path}` };
    let request: unknown;
    try {
      const frames = splitMessages(body).map((b) =>
        decodeMessage<Record<string, unknown>>(requestType(method), b),
      );
      request = METHODS[method].streaming ? frames : frames[0];
      if (!METHODS[method].streaming && frames.length !== 1)
        throw new GrpcFailure(Code.INTERNAL, `expected one request message, got ${frames.length}`);
      if (!issuer.authorizes(info.authorization))
        throw new GrpcFailure(Code.UNAUTHENTICATED, 'missing, unknown or expired bearer token');
      const scripted = faults.take(method);
      if (scripted !== undefined) throw new GrpcFailure(scripted, `scripted failure of ${method}`);
      const response = service.handle(method, frames);
      return { code: Code.OK, request, response: encodeMessage(responseType(method), response) };
    } catch (err) {
      const code = err instanceof GrpcFailure ? err.code : Code.INTERNAL;
      return { code, message: (err as Error).message, request };
    }
  };

  const outages = new Map<string, number>();
  let outageTimer: NodeJS.Timeout | undefined;
  const onRequest = (
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ): void => {
    const plain = res as PlainResponse;
    const path = (req.url ?? '').split('?')[0];
    const target = path === TOKEN_PATH ? 'token' : (path?.split('/').pop() ?? '');
    const outageMs = outages.get(target);
    if (outageMs !== undefined) {
      outages.delete(target);
      void fake.goOffline().then(() => {
        if (!isClosed) outageTimer = setTimeout(() => void fake.goOnline(), outageMs);
      });
      return;
    }
    if (path === TOKEN_PATH) {
      serveTokenRequest(req, plain, {
        creds,
        issuer,
        now,
        failStatus: () => faults.take('token'),
        record: (r) => tokenRequests.push(r),
      });
    } else if (req.httpVersionMajor === 2 && req.headers['content-type']?.startsWith('application/grpc')) {
      serveGrpcCall(req as Http2ServerRequest, res as Http2ServerResponse, {
        now,
        process: serveCall,
        calls,
      });
    } else {
      plain.writeHead(404, { 'content-type': 'text/plain' });
      plain.end('not found\n');
    }
  };

  const server = createSecureServer(
    { key: pki.keyPem, cert: pki.certPem, allowHTTP1: true, minVersion: 'TLSv1.2' },
    onRequest,
  );
  const sessions = new Set<ServerHttp2Session>();
  const sockets = new Set<Socket>();
  server.on('session', (s: ServerHttp2Session) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (onPort: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(onPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const dropConnections = () => {
    for (const s of sessions) s.destroy();
    for (const s of sockets) s.destroy();
  };
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  let isOffline = false;
  let isClosed = false;

  const fake: FakeControlPlane = {
    host: `localhost:${port}`,
    port,
    caPath,
    caPem: pki.caPem,
    clientId: creds.clientId,
    clientSecret: creds.clientSecret,
    enqueueTask: (t) => queue.enqueue(t, kinds),
    redeliver: (id) => queue.redeliver(id),
    goOffline: async () => {
      if (isOffline) return;
      isOffline = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      dropConnections();
      await closed;
    },
    goOnline: async () => {
      if (!isOffline || isClosed) return;
      await listen(port);
      isOffline = false;
    },
    outageOn: (method, ms) => void outages.set(method, ms),
    cancelTask: (id) => queue.cancel(id),
    failNext: (m, code, count) => faults.failNext(m, code, count),
    expireTokens: () => issuer.expireAll(),
    calls,
    tokenRequests,
    violations: service.violations,
    get pendingTaskCount() {
      return queue.pendingCount;
    },
    hellos: () => [...service.hellos],
    finishes: (taskId) => byTask(service.finishes, taskId),
    heartbeats: (taskId) => byTask(service.heartbeats, taskId),
    uploads: (taskId) => byTask(service.uploads, taskId),
    waitFor: async <T>(fn: () => T | undefined | false | null, timeoutMs = 5000): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = fn();
        if (v) return v;
        if (Date.now() > deadline)
          throw new Error(`fake control plane: waitFor timed out after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: async () => {
      isClosed = true;
      clearTimeout(outageTimer);
      const closed = isOffline
        ? Promise.resolve()
        : new Promise<void>((resolve) => server.close(() => resolve()));
      dropConnections();
      await closed;
      if (opts.dir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
  return fake;
}
