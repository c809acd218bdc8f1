import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Logger } from 'pino';
import { cancelled, internal, ListingGuard, maxPagesFor, systemClock } from '../connector/index.js';
import { BodyBuffers } from '../net/index.js';
import type { Clock, RateLimitInfo } from '../connector/index.js';
import { backoffMs, parseRetryAfterMs } from './backoff.js';
import { malformedResponse, readEnvelope, type ReadShape } from './envelope.js';
import { fivetranHttpError, fivetranNetworkError, type FivetranApiError } from './errors.js';
import { RateLimiter } from './rate-limiter.js';

/** Counters the ops layer can wire to Prometheus; `status` is 0 for a transport failure. */
export interface FivetranClientMetrics {
  onRequest?(endpoint: string, status: number, durationMs: number): void;
  onRetry?(reason: string): void;
  onRateLimitWait?(ms: number): void;
  /** Requests left in the quota window: `X-Rate-Limit-Remaining`, or 0 after a 429. */
  onRateLimitRemaining?(remaining: number): void;
}

/** Chooses the connection agent for an outbound URL: a proxy tunnel, or undefined to connect directly. */
export interface OutboundAgents {
  agentFor(url: URL): Agent | undefined;
}

/** A credential: a plain string or a secret wrapper (such as config's `Secret`) that reveals it on demand. */
export type SecretInput = string | { reveal(): string };

const reveal = (s: SecretInput): string => (typeof s === 'string' ? s : s.reveal());

export interface FivetranClientOptions {
  /** `https://api.fivetran.com` or `https://api.fivetran.com/v1`, with or without a trailing slash. */
  readonly baseUrl: string;
  readonly apiKey: SecretInput;
  readonly apiSecret: SecretInput;
  /** Per attempt. */
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly userAgent: string;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Retries after the first attempt (default 4). */
  readonly maxRetries?: number;
  /** Longest single wait between attempts (default 60 s); a longer Retry-After fails the call at once. */
  readonly maxRetryWaitMs?: number;
  /** First backoff step (default 500 ms). */
  readonly retryBaseMs?: number;
  readonly random?: () => number;
  readonly metrics?: FivetranClientMetrics;
  /** HTTPS_PROXY / NO_PROXY routing; absent means direct connections. */
  readonly proxy?: OutboundAgents;
  /** Most items one list may hold (default 200,000); `pages()` stops a longer list as endless. */
  readonly maxListItems?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RequestSpec {
  readonly method: HttpMethod;
  /** Path template such as `/v1/teams/{teamId}/users`; used as is for metrics and logs. */
  readonly endpoint: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly signal: AbortSignal;
  /** What a GET's `data` must hold; any 200 to a GET must be a `Success` envelope in any case. */
  readonly shape?: ReadShape;
}

export interface ApiPage<T> {
  readonly items: T[];
  /** Undefined on the last page (Fivetran's `next_cursor` missing, null or ""). */
  readonly nextCursor?: string;
}

export interface PageSpec {
  readonly endpoint: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly cursor?: string;
  readonly signal: AbortSignal;
  /** The field every item must carry and that identifies it (default `id`). */
  readonly idKey?: string;
}

/** Items per page asked of Fivetran (its maximum). */
export const PAGE_LIMIT = 1000;
/** Default for `maxListItems`: four times the largest Fivetran accounts we know of. */
const DEFAULT_MAX_LIST_ITEMS = 200_000;

/** A response read whole: status, headers and the body as text. */
interface HttpReply {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const header = (res: HttpReply, name: string): string | undefined => {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const intHeader = (res: HttpReply, name: string): number | undefined => {
  const v = header(res, name);
  const n = v === undefined ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
};

/** HTTP client for the Fivetran REST API: auth, timeouts, bounded retries, a shared rate limiter. */
export class FivetranClient {
  readonly #base: string;
  readonly #auth: string;
  readonly #o: FivetranClientOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #maxRetries: number;
  readonly #maxWaitMs: number;
  readonly #limiter: RateLimiter;
  readonly #agent: Agent | undefined;
  readonly #bodies = new BodyBuffers();
  #rateLimit: RateLimitInfo | undefined;

  constructor(o: FivetranClientOptions) {
    this.#o = o;
    this.#base = o.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.#auth = `Basic ${Buffer.from(`${reveal(o.apiKey)}:${reveal(o.apiSecret)}`).toString('base64')}`;
    this.#clock = o.clock ?? systemClock;
    this.#random = o.random ?? Math.random;
    this.#maxRetries = o.maxRetries ?? 4;
    this.#maxWaitMs = o.maxRetryWaitMs ?? 60_000;
    // One base URL, so one agent for the client's lifetime.
    this.#agent = o.proxy?.agentFor(new URL(this.#base));
    this.#limiter = new RateLimiter({
      concurrency: o.concurrency,
      clock: this.#clock,
      onWait: (ms) => o.metrics?.onRateLimitWait?.(ms),
    });
  }

  /** The quota seen on the latest response, for RateLimitDescription annotations. */
  get rateLimit(): RateLimitInfo | undefined {
    return this.#rateLimit;
  }

  /** Sends one call with retries; resolves with the envelope's `data` (undefined when there is none). */
  async request<T>(spec: RequestSpec): Promise<T | undefined> {
    const path = spec.endpoint.replace(/\{(\w+)\}/g, (_, name: string) => {
      const v = spec.params?.[name];
      if (v === undefined) throw internal(`baton-fivetran: ${spec.endpoint}: missing path parameter ${name}`);
      return encodeURIComponent(v);
    });
    const action = `${spec.method} ${path}`;
    const log = this.#o.log;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#send(spec, path, action, attempt);
      if (outcome.ok) return outcome.data as T | undefined;
      const err = outcome.err;
      const status = err.httpStatus;
      const retryAfterMs = err.retryAfterMs;
      if (!err.retryable || attempt >= this.#maxRetries) throw err;
      if (retryAfterMs !== undefined && retryAfterMs > this.#maxWaitMs) throw err;
      const waitMs =
        retryAfterMs ??
        backoffMs(attempt, {
          baseMs: this.#o.retryBaseMs ?? 500,
          maxMs: this.#maxWaitMs,
          random: this.#random,
        });
      const reason =
        status === undefined
          ? 'network'
          : status === 429
            ? 'rate_limited'
            : status < 300
              ? 'malformed'
              : `http_${status}`;
      this.#o.metrics?.onRetry?.(reason);
      log.warn(
        { endpoint: spec.endpoint, attempt: attempt + 1, httpStatus: status, waitMs, err },
        'fivetran call will be retried',
      );
      if (status === 429) {
        // Everyone waits, not just this call: the quota is shared.
        this.#limiter.pause(waitMs);
      } else {
        try {
          await this.#clock.sleep(waitMs, spec.signal);
        } catch {
          throw cancelled(`baton-fivetran: ${action}: cancelled while waiting to retry`, { cause: err });
        }
      }
    }
  }

  /**
   * One page of a collection, `limit=1000`. A page without an `items` list, or with an item lacking its id,
   * fails (retryably) rather than reading as empty; a `next_cursor` equal to the cursor sent is refused.
   */
  async page<T>(spec: PageSpec): Promise<ApiPage<T>> {
    const data = await this.request<{ items: T[]; next_cursor?: string | null }>({
      method: 'GET',
      endpoint: spec.endpoint,
      params: spec.params,
      query: { ...spec.query, limit: PAGE_LIMIT, cursor: spec.cursor },
      signal: spec.signal,
      shape: { kind: 'list', idKey: spec.idKey ?? 'id' },
    });
    // The shape check guarantees data.items; `?? []` only satisfies the type.
    const items = data?.items ?? [];
    const next =
      typeof data?.next_cursor === 'string' && data.next_cursor !== '' ? data.next_cursor : undefined;
    if (next !== undefined && next === spec.cursor) {
      throw internal(
        `baton-fivetran: GET ${spec.endpoint}: Fivetran returned the same next_cursor it was sent`,
      );
    }
    return { items, nextCursor: next };
  }

  /**
   * Every page of a collection in turn. A list that does not end fails: a cursor seen before, a page of
   * items all listed before, or more pages than `maxListItems` fill.
   */
  async *pages<T>(spec: Omit<PageSpec, 'cursor'>): AsyncGenerator<T[]> {
    const seen = new Set<string>();
    const idKey = spec.idKey ?? 'id';
    const guard = new ListingGuard(
      `baton-fivetran: GET ${spec.endpoint}`,
      maxPagesFor(this.#o.maxListItems ?? DEFAULT_MAX_LIST_ITEMS, PAGE_LIMIT),
    );
    let cursor: string | undefined;
    do {
      const p: ApiPage<T> = await this.page<T>({ ...spec, cursor });
      guard.check(p.items.map((item) => String((item as Record<string, unknown>)[idKey])));
      yield p.items;
      cursor = p.nextCursor;
      if (cursor !== undefined) {
        if (seen.has(cursor)) {
          throw internal(`baton-fivetran: GET ${spec.endpoint}: Fivetran repeated an earlier next_cursor`);
        }
        seen.add(cursor);
      }
    } while (cursor !== undefined);
  }

  /** All items of a collection. */
  async all<T>(spec: Omit<PageSpec, 'cursor'>): Promise<T[]> {
    const out: T[] = [];
    for await (const items of this.pages<T>(spec)) out.push(...items);
    return out;
  }

  /** One attempt: resolves with `data` on 2xx, or with (not throwing) a retry-classified error. */
  async #send(spec: RequestSpec, path: string, action: string, attempt: number): Promise<Outcome> {
    let release: () => void;
    try {
      release = await this.#limiter.acquire(spec.signal);
    } catch (err) {
      throw cancelled(`baton-fivetran: ${action}: cancelled`, { cause: err });
    }
    const start = this.#clock.now();
    let res: HttpReply;
    try {
      res = await this.#exchange(spec, path);
    } catch (err) {
      this.#o.metrics?.onRequest?.(spec.endpoint, 0, this.#clock.now() - start);
      if (spec.signal.aborted) throw cancelled(`baton-fivetran: ${action}: cancelled`);
      return { ok: false, err: fivetranNetworkError(action, spec.endpoint, err) };
    } finally {
      release();
    }
    const durationMs = this.#clock.now() - start;
    const status = res.statusCode;
    this.#o.metrics?.onRequest?.(spec.endpoint, status, durationMs);
    this.#o.log.debug({ endpoint: spec.endpoint, httpStatus: status, durationMs, attempt }, 'fivetran call');
    const limit = intHeader(res, 'x-rate-limit');
    const remaining = intHeader(res, 'x-rate-limit-remaining');
    this.#limiter.observe(limit, remaining);
    const now = this.#clock.now();
    const retryAfterMs = parseRetryAfterMs(header(res, 'retry-after'), now);
    if (limit !== undefined || remaining !== undefined || status === 429) {
      this.#rateLimit = {
        limit: limit ?? (status === 429 ? 1 : undefined),
        remaining: status === 429 ? 0 : remaining,
        resetAt: status === 429 ? new Date(now + (retryAfterMs ?? 60_000)) : undefined,
      };
      const left = this.#rateLimit.remaining;
      if (left !== undefined) this.#o.metrics?.onRateLimitRemaining?.(left);
    }
    if (status >= 200 && status < 300) {
      if (spec.method !== 'GET') return { ok: true, data: parseSuccess(res.body, action) };
      const read = readEnvelope(res.body, header(res, 'content-type'), spec.shape);
      if ('data' in read) return { ok: true, data: read.data };
      return { ok: false, err: malformedResponse(action, spec.endpoint, read.problem, read.fivetranCode) };
    }
    const err = fivetranHttpError({
      method: spec.method,
      action,
      endpoint: spec.endpoint,
      status,
      body: res.body,
      contentType: header(res, 'content-type'),
      retryAfterMs,
      rateLimit: status === 429 || status >= 500 ? this.#rateLimit : undefined,
    });
    return { ok: false, err };
  }

  /**
   * One HTTP exchange with node:http (a CPU profile put a general-purpose client's per-request work at about
   * a third of the cost of receiving a 300 KB page). Rejects with an error carrying a `code` (ETIMEDOUT,
   * ECONNRESET, ...) on a transport failure or timeout; any status resolves. No redirects are followed.
   */
  #exchange(spec: RequestSpec, path: string): Promise<HttpReply> {
    const url = new URL(`${this.#base}${path}`);
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const body = spec.body !== undefined ? JSON.stringify(spec.body) : undefined;
    const headers: Record<string, string | number> = {
      authorization: this.#auth,
      accept: 'application/json',
      'accept-encoding': 'gzip, deflate, br',
      'user-agent': this.#o.userAgent,
    };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<HttpReply>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | undefined, reply?: HttpReply) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        spec.signal.removeEventListener('abort', onAbort);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(reply!);
      };
      const onAbort = () => finish(Object.assign(new Error('request aborted'), { code: 'ABORT_ERR' }));
      const req = send(
        url,
        { method: spec.method, headers, ...(this.#agent ? { agent: this.#agent } : {}) },
        (res) => {
          const decoder = decompressorFor(res.headers['content-encoding']);
          decoder?.on('error', (err) => finish(err));
          const body: Readable = decoder ? res.pipe(decoder) : res;
          const collected = this.#bodies.collect();
          body.on('data', (chunk: Buffer) => collected.push(chunk));
          body.on('end', () =>
            finish(undefined, {
              statusCode: res.statusCode ?? 0,
              headers: res.headers,
              body: collected.text(),
            }),
          );
          // A body cut short emits 'error' (code ECONNRESET) before 'close'.
          res.on('error', (err) => finish(err));
        },
      );
      const timer = setTimeout(() => {
        finish(
          Object.assign(new Error(`Timeout awaiting 'request' for ${this.#o.timeoutMs}ms`), {
            code: 'ETIMEDOUT',
          }),
        );
      }, this.#o.timeoutMs);
      req.on('error', (err) => finish(err));
      if (spec.signal.aborted) return onAbort();
      spec.signal.addEventListener('abort', onAbort, { once: true });
      req.end(body);
    });
  }
}

/** A decompressing stream for a `Content-Encoding` we asked for; undefined for identity (or none). */
const decompressorFor = (encoding: string | undefined): Transform | undefined => {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
};

type Outcome =
  { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly err: FivetranApiError };

const parseSuccess = (body: string, action: string): unknown => {
  if (body.trim() === '') return undefined;
  try {
    const v = JSON.parse(body) as { data?: unknown } | null;
    return v !== null && typeof v === 'object' ? v.data : undefined;
  } catch {
    throw internal(`baton-fivetran: ${action}: Fivetran answered with a non-JSON success body`);
  }
};
