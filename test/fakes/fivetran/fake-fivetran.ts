import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { EndlessPaging, malformedReply } from './bad-pages.js';
import { generateDataset, type FakeDataset } from './dataset.js';
import { FakeState } from './fake-state.js';
import { FaultQueue, pathMatches, type Fault } from './faults.js';
import type { LastPageCursor } from './http-reply.js';
import { KeyTable, type ApiKeyEntry, type FakeKeys } from './keys.js';
import {
  forbidden,
  RequestPipeline,
  tooManyRequests,
  unauthorized,
  type Outgoing,
} from './request-pipeline.js';
import { RollingQuota } from './rolling-quota.js';

export interface FakeFivetranOptions {
  /** Default: `generateDataset({ seed: 1 })`. The dataset is copied; the fake never mutates it. */
  dataset?: FakeDataset;
  /**
   * Every response leaves this long after its request arrived, on average (timers fire up to a millisecond
   * early or late and the fake corrects for it), as if only the network took time: the fake's work is inside.
   */
  latencyMs?: number;
  /** Hourly request budget (`X-Rate-Limit`); default 20000. When used up: 429 + `Retry-After`. */
  hourlyQuota?: number;
  /** User invites (`POST /v1/users`) per hour; default 500. */
  inviteQuota?: number;
  /** 401 body: nothing (default) or `{"code":"Unauthorized","message":…}`. */
  unauthorizedBody?: 'empty' | 'json';
  /** Clock for quota windows and `created_at` of new records; default `Date.now`. */
  now?: () => number;
  /** Fixed credentials instead of random ones. */
  keys?: Partial<FakeKeys>;
  /** End-of-list signal on the last page; default 'omit' (no `next_cursor` key). */
  lastPageCursor?: LastPageCursor;
  /** When true, every full page carries a cursor, so lists can end with an empty page; default false. */
  emptyFinalPage?: boolean;
  /**
   * Benchmarks only: successful GET bodies serialised once per (key, path and query) into this map; later
   * requests for them skip routing and are served the stored bytes (still counted against the hourly
   * quota). Share it between fakes of one dataset with the same `keys`. Only sound while nothing mutates
   * the state. Default: none, every request is routed and its body serialised.
   */
  memoiseGetBodies?: Map<string, Buffer>;
}

/** One request as the fake saw it. `status` is 0 until answered, and stays 0 after a `reset` fault. */
export interface RecordedRequest {
  method: string;
  /** Full path without the query, e.g. `/v1/users/abc_def`. */
  path: string;
  query: Record<string, string>;
  status: number;
  /** The API key id from the Basic header (never the secret). */
  authKey?: string;
  /** Parsed JSON body, or the raw text when it is not JSON; absent when empty. */
  body?: unknown;
  userAgent?: string;
  contentType?: string;
}

export interface FakeFivetran {
  /** `http://127.0.0.1:<port>/v1` */
  readonly baseUrl: string;
  readonly state: FakeState;
  readonly dataset: FakeDataset;
  readonly keys: FakeKeys;
  readonly requests: RecordedRequest[];
  requestCount(filter?: { method?: string; pathPrefix?: string }): number;
  /** The most requests that were being handled at the same time (since start or `reset`). */
  readonly maxInFlight: number;
  /** Mean time from a request's arrival to its response being written, in ms (since start or `reset`). */
  readonly meanResponseMs: number;
  /** Queues faults; each is consumed by the next request matching its `match` prefix. */
  injectFaults(...faults: Fault[]): void;
  /**
   * Makes the list at this exact path (e.g. `/users`) endless: every page is the first one, under a fresh
   * cursor. Until `reset()`.
   */
  pageForever(path: string): void;
  /** Registers an extra key, e.g. a system key with a narrower permission list. */
  addKey(entry: ApiKeyEntry): void;
  /** Clears recorded requests, pending faults and both quota windows; the state is kept. */
  reset(): void;
  close(): Promise<void>;
}

const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

export async function startFakeFivetran(opts: FakeFivetranOptions = {}): Promise<FakeFivetran> {
  const fake = new FakeFivetranServer(opts);
  await fake.listen();
  return fake;
}

class FakeFivetranServer implements FakeFivetran {
  readonly state: FakeState;
  readonly dataset: FakeDataset;
  readonly keys: FakeKeys;
  readonly requests: RecordedRequest[] = [];
  readonly #faults = new FaultQueue();
  readonly #endless = new EndlessPaging();
  readonly #keyTable: KeyTable;
  readonly #hourly: RollingQuota;
  readonly #invites: RollingQuota;
  readonly #pipeline: RequestPipeline;
  readonly #sleepers = new Set<() => void>();
  readonly #server: Server;
  #baseUrl = '';
  #inFlight = 0;
  #maxInFlight = 0;
  #responseMs = { total: 0, count: 0 };
  /** By how much responses have been leaving later than `latencyMs` (smoothed); timers are set that much earlier. */
  #lateMs = 0;

  constructor(private readonly opts: FakeFivetranOptions) {
    const now = opts.now ?? Date.now;
    this.dataset = opts.dataset ?? generateDataset({ seed: 1 });
    this.state = new FakeState(this.dataset, now);
    this.#keyTable = new KeyTable(
      { adminUserId: this.dataset.adminUserId, nonAdminUserId: this.dataset.reviewerUserId },
      opts.keys,
    );
    this.keys = this.#keyTable.keys;
    this.#hourly = new RollingQuota(opts.hourlyQuota ?? 20_000, now);
    this.#invites = new RollingQuota(opts.inviteQuota ?? 500, now);
    this.#pipeline = new RequestPipeline({
      state: this.state,
      keyTable: this.#keyTable,
      hourly: this.#hourly,
      invites: this.#invites,
      pageStyle: {
        lastPageCursor: opts.lastPageCursor ?? 'omit',
        emptyFinalPage: opts.emptyFinalPage ?? false,
      },
      unauthorizedBody: opts.unauthorizedBody ?? 'empty',
    });
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed)
          this.#send(res, undefined, { status: 500, text: String(err) });
      });
    });
  }

  get baseUrl(): string {
    return this.#baseUrl;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => {
        const { port } = this.#server.address() as AddressInfo;
        this.#baseUrl = `http://127.0.0.1:${port}/v1`;
        resolve();
      });
    });
  }

  requestCount(filter: { method?: string; pathPrefix?: string } = {}): number {
    const method = filter.method?.toUpperCase();
    return this.requests.filter(
      (r) => (method === undefined || r.method === method) && pathMatches(r.path, filter.pathPrefix),
    ).length;
  }

  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  get meanResponseMs(): number {
    return this.#responseMs.count === 0 ? 0 : this.#responseMs.total / this.#responseMs.count;
  }

  injectFaults(...faults: Fault[]): void {
    this.#faults.push(...faults);
  }

  pageForever(path: string): void {
    this.#endless.add(path);
  }

  addKey(entry: ApiKeyEntry): void {
    this.#keyTable.add(entry);
  }

  reset(): void {
    this.requests.length = 0;
    this.#maxInFlight = this.#inFlight;
    this.#responseMs = { total: 0, count: 0 };
    this.#faults.clear();
    this.#endless.clear();
    this.#hourly.clear();
    this.#invites.clear();
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const wake of [...this.#sleepers]) wake();
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    res.once('finish', () => {
      const took = performance.now() - arrived;
      this.#responseMs.total += took;
      this.#responseMs.count++;
      const latency = this.opts.latencyMs;
      // Timers round: they fire up to a millisecond early or late, so the correction goes both ways.
      if (latency)
        this.#lateMs = Math.min(latency / 2, Math.max(-latency / 2, this.#lateMs + 0.1 * (took - latency)));
    });
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const record: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    };
    const presented = KeyTable.presentedKey(req.headers.authorization);
    if (presented) record.authKey = presented.key;
    if (req.headers['user-agent']) record.userAgent = req.headers['user-agent'];
    if (req.headers['content-type']) record.contentType = req.headers['content-type'];
    this.requests.push(record);
    this.#maxInFlight = Math.max(this.#maxInFlight, ++this.#inFlight);
    res.once('close', () => this.#inFlight--);

    const rawBody = await readBody(req);
    if (rawBody !== '') record.body = parseOrRaw(rawBody);
    const fault = this.#faults.take(record.path);
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'timeout') await this.#sleep(fault.ms, res);
    if (this.opts.latencyMs) await this.#latency(arrived, this.opts.latencyMs, res);
    if (res.destroyed) return;
    const endless = this.#endless.matches(record.method, record.path);
    const memoKey =
      this.opts.memoiseGetBodies && !fault && !endless && record.method === 'GET'
        ? `${record.authKey ?? ''} ${req.url ?? ''}`
        : undefined;
    // A memo hit: this key was authorised for this path before, and nothing changes the state.
    if (memoKey !== undefined && this.opts.memoiseGetBodies?.has(memoKey) && this.#hourly.take()) {
      this.#send(res, record, { status: 200, json: {} }, memoKey);
      return;
    }
    const query = endless ? this.#endless.firstPage(record.query) : record.query;
    let outgoing =
      fault && fault.kind !== 'timeout' && fault.kind !== 'malformed'
        ? this.#faultReply(fault)
        : this.#pipeline.handle({ ...record, query, headers: req.headers, rawBody });
    if (endless) outgoing = this.#endless.endless(outgoing);
    if (fault?.kind === 'malformed') outgoing = malformedReply(fault.body, outgoing);
    this.#send(res, record, outgoing, outgoing.status === 200 ? memoKey : undefined);
  }

  #faultReply(fault: Exclude<Fault, { kind: 'reset' | 'timeout' | 'malformed' }>): Outgoing {
    switch (fault.kind) {
      case '429':
        return tooManyRequests(
          `Max ${this.#hourly.limit} api calls allowed in one-hour rolling time period`,
          fault.retryAfterSeconds ?? 1,
        );
      case '500':
        return { status: 500, json: { code: 'InternalError', message: 'Internal server error' } };
      case 'html502':
        return { status: 502, text: HTML_502, headers: { 'Content-Type': 'text/html' } };
      case '401':
        return unauthorized(this.opts.unauthorizedBody ?? 'empty');
      case '403':
        return forbidden('access', 'this resource');
    }
  }

  #send(res: ServerResponse, record: RecordedRequest | undefined, out: Outgoing, memoKey?: string): void {
    if (res.destroyed || res.writableEnded) return;
    let body = memoKey === undefined ? undefined : this.opts.memoiseGetBodies?.get(memoKey);
    if (body === undefined) {
      body = Buffer.from(out.json !== undefined ? JSON.stringify(out.json) : (out.text ?? ''));
      if (memoKey !== undefined) this.opts.memoiseGetBodies?.set(memoKey, body);
    }
    const headers: Record<string, string | number> = {
      'X-Rate-Limit': this.#hourly.limit,
      'X-Rate-Limit-Remaining': this.#hourly.remaining(),
      'Content-Length': body.length,
    };
    if (out.json !== undefined) headers['Content-Type'] = 'application/json;charset=UTF-8';
    else if (out.text !== undefined) headers['Content-Type'] = 'text/plain';
    Object.assign(headers, out.headers);
    if (record) record.status = out.status;
    res.writeHead(out.status, headers);
    res.end(body);
  }

  /** Waits until `latencyMs` after `arrived`, less how late responses have been leaving. */
  async #latency(arrived: number, latencyMs: number, res: ServerResponse): Promise<void> {
    const wait = arrived + latencyMs - performance.now() - this.#lateMs;
    if (wait > 0) await this.#sleep(wait, res);
  }

  /** Waits `ms`, or less when the client goes away or the server closes. */
  #sleep(ms: number, res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        res.off('close', wake);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      res.on('close', wake);
      this.#sleepers.add(wake);
    });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseOrRaw(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
