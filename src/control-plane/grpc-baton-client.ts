import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  BatonError,
  codeName,
  collectYoungGarbage,
  decodeMessage,
  encodeMessage,
  invalidArgument,
  systemClock,
  type Clock,
  type ConnectorMetadata,
} from '../connector/index.js';
import type { BatonServiceClient, BatonTask, FinishResult, RpcOptions } from './baton-service-client.js';
import { parseClientId, parseClientSecret, type ClientId } from './credentials.js';
import { rpcError } from './grpc-error.js';
import { buildInfo, osInfo, PACKAGE_NAME, type BuildInfo, type OsInfo } from './host-info.js';
import { durationMs, taskFromProto } from './task-from-proto.js';
import { TlsChannelCredentials } from './tls-credentials.js';
import { tlsRoots } from './tls-roots.js';
import { TokenSource, type OutboundAgents } from './token-source.js';
import { uploadAsset, type UploadStream } from './upload.js';
import { uploadFrameSerializer } from './upload-serializer.js';

export interface HelloInfo {
  readonly connectorMetadata: ConnectorMetadata;
  /** Defaults to `buildInfo(version)`. */
  readonly buildInfo?: BuildInfo;
  /** Defaults to `osInfo()`, gathered once. */
  readonly osInfo?: OsInfo;
}

export interface GrpcBatonClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** BATON_C1_API_HOST when present: host or host:port for both the token URL and the gRPC target. */
  readonly apiHostOverride?: string;
  /** spec control-plane §7; 1..256 characters. */
  readonly hostId: string;
  /** Called before every Hello (startup and hello tasks). */
  readonly helloInfo: () => Promise<HelloInfo> | HelloInfo;
  /** Package version for the user agents and the default build info. */
  readonly version?: string;
  /** Token request timeout (`--http-timeout-seconds`). */
  readonly httpTimeoutMs: number;
  /** Default per-call deadline for unary calls; 30 s. Uploads have none unless `timeoutMs` is passed. */
  readonly defaultTimeoutMs?: number;
  readonly log: Logger;
  /** Wall-clock based: it also computes gRPC deadlines. */
  readonly clock?: Clock;
  /**
   * Extra trusted CA certificate (PEM) added to Node's default store for both the token request and the
   * channel. Production leaves it unset and relies on the system store plus NODE_EXTRA_CA_CERTS; in-process
   * tests pass their fake control plane's CA here.
   */
  readonly extraCaPem?: string;
  /**
   * HTTPS_PROXY / NO_PROXY routing for the token request. The gRPC channel is not affected: grpc-js
   * reads `grpc_proxy` / `https_proxy` / `http_proxy` and `no_grpc_proxy` / `no_proxy` (lower case only)
   * from the environment itself.
   */
  readonly proxy?: OutboundAgents;
  /** Observes every finished call: method, gRPC code name (`OK`, `UNAVAILABLE`, ...) and duration. */
  readonly onCall?: (method: string, code: string, durationMs: number) => void;
  /** Observes every token request the client makes. */
  readonly onTokenRefresh?: (ok: boolean) => void;
}

const SERVICE = '/c1.connectorapi.baton.v1.BatonService/';
const PKG = 'c1.connectorapi.baton.v1.';
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_RECONNECT_BACKOFF_MS = 5_000;

type Decoded = Record<string, unknown>;

/** BatonService over one long-lived TLS channel with per-RPC bearer tokens (spec control-plane §2-3, §6). */
export class GrpcBatonClient implements BatonServiceClient {
  readonly #o: GrpcBatonClientOptions;
  readonly #clock: Clock;
  readonly #client: grpc.Client;
  readonly #tokens: TokenSource;
  readonly #target: string;
  #osInfo: Promise<OsInfo> | undefined;

  constructor(o: GrpcBatonClientOptions) {
    const id: ClientId = parseClientId(o.clientId);
    const secret = parseClientSecret(o.clientSecret);
    if (o.apiHostOverride === '' || (id.tokenHost === '' && o.apiHostOverride === undefined)) {
      throw invalidArgument('baton-fivetran: invalid control-plane host: empty');
    }
    if (o.hostId.length < 1 || o.hostId.length > 256) {
      throw invalidArgument('baton-fivetran: invalid host id: must be 1..256 characters');
    }
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
    const version = o.version ?? '0.0.0';
    this.#tokens = new TokenSource({
      clientId: id,
      secret,
      httpTimeoutMs: o.httpTimeoutMs,
      userAgent: `baton-c1-credential-provider ${PACKAGE_NAME}/${version}`,
      clock: this.#clock,
      log: o.log,
      ...(o.apiHostOverride === undefined ? {} : { apiHostOverride: o.apiHostOverride }),
      ...(o.extraCaPem === undefined ? {} : { extraCaPem: o.extraCaPem }),
      ...(o.proxy === undefined ? {} : { proxy: o.proxy }),
      ...(o.onTokenRefresh === undefined ? {} : { onRefresh: o.onTokenRefresh }),
    });
    this.#target = grpcTarget(o.apiHostOverride ?? id.tokenHost);
    const tokens = this.#tokens;
    const perRpc = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
      tokens.getToken().then(
        (t) => {
          const md = new grpc.Metadata();
          md.set('authorization', t.authorization);
          callback(null, md);
        },
        // The token source's own code: UNAUTHENTICATED for refused credentials, UNAVAILABLE for an outage.
        (err: unknown) =>
          callback(
            Object.assign(new Error(String((err as Error)?.message ?? err)), {
              code: err instanceof BatonError ? err.code : grpc.status.UNAUTHENTICATED,
            }),
          ),
      );
    });
    const host = o.apiHostOverride ?? id.tokenHost;
    const channelCreds = grpc.credentials.combineChannelCredentials(
      new TlsChannelCredentials(tlsRoots(o.extraCaPem), host),
      perRpc,
    );
    this.#client = new grpc.Client(this.#target, channelCreds, {
      'grpc.primary_user_agent': `${id.clientName} ${PACKAGE_NAME}/${version}`,
      // grpc-js waits up to 120 s between reconnects and fails every call meanwhile, which would stretch a
      // short outage into minutes; our own retries already back off.
      'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS,
    });
  }

  /** `dns:///host:port` as dialled. */
  get target(): string {
    return this.#target;
  }

  async hello(taskId: string, o: RpcOptions = {}): Promise<void> {
    const info = await this.#o.helloInfo();
    this.#osInfo ??= osInfo();
    await this.#unary('Hello', 'BatonServiceHelloRequest', 'BatonServiceHelloResponse', o, {
      hostId: this.#o.hostId,
      taskId,
      buildInfo: info.buildInfo ?? buildInfo(this.#o.version ?? '0.0.0'),
      osInfo: info.osInfo ?? (await this.#osInfo),
      connectorMetadata: info.connectorMetadata,
    });
  }

  async getTask(o: RpcOptions = {}): Promise<{ task?: BatonTask; nextPollMs: number }> {
    const res = await this.#unary('GetTask', 'BatonServiceGetTaskRequest', 'BatonServiceGetTaskResponse', o, {
      hostId: this.#o.hostId,
    });
    const task = taskFromProto(res.task);
    const nextPollMs = durationMs(res.nextPoll);
    return task ? { task, nextPollMs } : { nextPollMs };
  }

  async getTasks(
    pageSize: number,
    knownTaskIds: readonly string[],
    o: RpcOptions = {},
  ): Promise<{ tasks: BatonTask[]; nextPollMs: number }> {
    const res = await this.#unary(
      'GetTasks',
      'BatonServiceGetTasksRequest',
      'BatonServiceGetTasksResponse',
      o,
      {
        hostId: this.#o.hostId,
        pageSize,
        knownTaskIds: [...knownTaskIds],
      },
    );
    const raw = Array.isArray(res.tasks) ? (res.tasks as unknown[]) : [];
    const tasks = raw.map(taskFromProto).filter((t): t is BatonTask => t !== undefined);
    return { tasks, nextPollMs: durationMs(res.nextPoll) };
  }

  async heartbeat(
    taskId: string,
    o: RpcOptions = {},
  ): Promise<{ nextHeartbeatMs: number; cancelled: boolean }> {
    const res = await this.#unary(
      'Heartbeat',
      'BatonServiceHeartbeatRequest',
      'BatonServiceHeartbeatResponse',
      o,
      { hostId: this.#o.hostId, taskId },
    );
    return { nextHeartbeatMs: durationMs(res.nextHeartbeat), cancelled: res.cancelled === true };
  }

  async finishTask(taskId: string, result: FinishResult, o: RpcOptions = {}): Promise<void> {
    const base = { hostId: this.#o.hostId, taskId };
    const req =
      result.kind === 'success'
        ? {
            ...base,
            success: {
              annotations: [...(result.annotations ?? [])],
              ...(result.response ? { response: result.response } : {}),
            },
          }
        : {
            ...base,
            status: {
              code: result.status.code,
              message: result.status.message,
              details: [...(result.status.details ?? [])],
            },
            error: { nonRetryable: result.nonRetryable, annotations: [...(result.annotations ?? [])] },
          };
    await this.#unary(
      'FinishTask',
      'BatonServiceFinishTaskRequest',
      'BatonServiceFinishTaskResponse',
      o,
      req,
    );
  }

  async uploadAsset(taskId: string, path: string, o: RpcOptions = {}): Promise<void> {
    const started = this.#clock.now();
    try {
      await this.#tokens.getToken(o.signal);
      await uploadAsset({
        path,
        taskId,
        hostId: this.#o.hostId,
        clock: this.#clock,
        log: this.#o.log,
        openStream: () => this.#openUpload(o),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      this.#observe('UploadAsset', 'OK', started);
    } catch (err) {
      const e = rpcError(err, { method: 'UploadAsset', ...(o.signal ? { signal: o.signal } : {}) });
      this.#observe('UploadAsset', codeName(e.code), started);
      throw e;
    }
  }

  close(): void {
    this.#client.close();
  }

  async #unary(
    method: string,
    reqType: string,
    resType: string,
    o: RpcOptions,
    req: object,
  ): Promise<Decoded> {
    const deadline = this.#clock.now() + (o.timeoutMs ?? this.#o.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS);
    const ctx = { method, ...(o.signal ? { signal: o.signal } : {}) };
    const started = this.#clock.now();
    try {
      // Fetch (or reuse) the token first so a token failure surfaces with its own message and code.
      const token = await this.#tokens.getToken(o.signal);
      return await new Promise<Decoded>((resolve, reject) => {
        const call = this.#client.makeUnaryRequest(
          SERVICE + method,
          (msg: object) => Buffer.from(encodeMessage(PKG + reqType, msg)),
          (bytes: Buffer) => decodeMessage(PKG + resType, bytes) as Decoded,
          req,
          new grpc.Metadata(),
          { deadline },
          (err, res) => {
            o.signal?.removeEventListener('abort', onAbort);
            if (err?.code === grpc.status.UNAUTHENTICATED) this.#tokens.invalidate(token);
            if (err) reject(err);
            else resolve(res ?? {});
          },
        );
        const onAbort = () => call.cancel();
        if (o.signal?.aborted) call.cancel();
        else o.signal?.addEventListener('abort', onAbort, { once: true });
      }).then((res) => {
        this.#observe(method, 'OK', started);
        return res;
      });
    } catch (err) {
      const e = rpcError(err, { ...ctx, isLocalDeadline: this.#clock.now() >= deadline });
      this.#observe(method, codeName(e.code), started);
      throw e;
    }
  }

  #observe(method: string, code: string, started: number): void {
    this.#o.onCall?.(method, code, this.#clock.now() - started);
  }

  #openUpload(o: RpcOptions): UploadStream {
    const options: grpc.CallOptions =
      o.timeoutMs === undefined ? {} : { deadline: this.#clock.now() + o.timeoutMs };
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => undefined); // observed through send()/finish()
    // uploadAsset fetched a token just before; if the server rejects it, the next attempt must get a new one.
    const token = this.#tokens.cached;
    const call = this.#client.makeClientStreamRequest(
      SERVICE + 'UploadAsset',
      uploadFrameSerializer(),
      (bytes: Buffer) => decodeMessage(PKG + 'BatonServiceUploadAssetResponse', bytes),
      new grpc.Metadata(),
      options,
      (err) => {
        if (err?.code === grpc.status.UNAUTHENTICATED && token) this.#tokens.invalidate(token);
        if (err) settle.reject(err);
        else settle.resolve();
      },
    );
    call.on('error', () => undefined); // the callback above carries the status
    const onAbort = () => call.cancel();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    void done.finally(() => o.signal?.removeEventListener('abort', onAbort)).catch(() => undefined);
    let dataFrames = 0;
    return {
      // Waits for the write's callback, not just 'drain': one frame in flight, and the caller may reuse its
      // bytes. Each chunk still leaves grpc-js's framed copy of it as off-heap garbage that V8 would only
      // collect after ~64 MiB of it; a scavenge every second chunk frees it, so the upload's memory stays at
      // a chunk or two. Not every chunk: grpc-js keeps the last framed chunk (its retry buffer) until the next
      // one is written, so a per-chunk scavenge finds each one alive twice and promotes it to the old
      // generation, which only a full GC frees.
      send: async (frame) => {
        if ('data' in frame && ++dataFrames % 2 === 0) collectYoungGarbage();
        await Promise.race([new Promise<void>((r) => call.write(frame, () => r())), done]);
      },
      finish: async () => {
        call.end();
        await done;
      },
      cancel: () => call.cancel(),
    };
  }
}

/** `dns:///host:443`, or the host's own port when it has one (spec control-plane §3). */
export function grpcTarget(host: string): string {
  const hasPort = /^\[[^\]]*\]:\d+$/.test(host) || /^[^:[\]]+:\d+$/.test(host);
  return `dns:///${hasPort ? host : `${host}:443`}`;
}
