import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { C1zWriter } from '../../../src/c1z/index.js';
import {
  BatonError,
  ConnectorRegistry,
  entitlementId,
  grantId,
  resourceId,
  type Clock,
  type Entitlement,
  type Grant,
  type Resource,
} from '../../../src/connector/index.js';
import {
  FivetranClient,
  createFivetranConnector,
  type FivetranApiError,
  type FivetranClientOptions,
  type FivetranConnectorOptions,
} from '../../../src/fivetran/index.js';
import { runSync, type SyncSummary } from '../../../src/sync/index.js';
import {
  startFakeFivetran,
  type FakeFivetran,
  type FakeFivetranOptions,
} from '../../fakes/fivetran/index.js';

/** A clock whose sleeps return at once and move time forward; every sleep is recorded. */
export class FakeClock implements Clock {
  nowMs = Date.UTC(2026, 0, 1);
  readonly sleeps: number[] = [];

  now(): number {
    return this.nowMs;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.nowMs += ms;
    await Promise.resolve();
    signal?.throwIfAborted();
  }
}

/** A pino logger writing parsed JSON lines into `lines`. */
export const logSink = (): { log: Logger; lines: Record<string, unknown>[]; text: () => string } => {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines, text: () => raw.join('\n') };
};

export type KeyName = 'admin' | 'system' | 'readOnlySystem' | 'nonAdminUser';

export const connectorFor = (
  fake: FakeFivetran,
  key: KeyName = 'admin',
  extra: Partial<FivetranConnectorOptions> = {},
) => {
  const clock = new FakeClock();
  const sink = logSink();
  const connector = createFivetranConnector({
    baseUrl: fake.baseUrl,
    apiKey: fake.keys[key].key,
    apiSecret: fake.keys[key].secret,
    timeoutMs: 2000,
    concurrency: 4,
    log: sink.log,
    clock,
    version: '1.2.3',
    maxRetryWaitMs: 5000,
    random: () => 0.5,
    ...extra,
  });
  return { connector, clock, sink };
};

/** One fake Fivetran for the enclosing describe block (handed to `set`), reset before each test. */
export const useFakeFivetran = (set: (fake: FakeFivetran) => void, options?: FakeFivetranOptions): void => {
  let fake: FakeFivetran | undefined;
  beforeAll(async () => {
    fake = await startFakeFivetran(options);
    set(fake);
  });
  afterAll(() => fake?.close());
  beforeEach(() => fake?.reset());
};

/** A bare client on the fake's admin key, recording retries, rate-limit waits and each request's status. */
export const clientFor = (fake: FakeFivetran, extra: Partial<FivetranClientOptions> = {}) => {
  const clock = new FakeClock();
  const sink = logSink();
  const events = {
    retries: [] as string[],
    waits: [] as number[],
    remaining: [] as number[],
    requests: [] as [endpoint: string, status: number][],
    get statuses(): number[] {
      return this.requests.map(([, status]) => status);
    },
  };
  const client = new FivetranClient({
    baseUrl: fake.baseUrl,
    apiKey: fake.keys.admin.key,
    apiSecret: fake.keys.admin.secret,
    timeoutMs: 2000,
    concurrency: 4,
    userAgent: 'baton-fivetran/9.9.9',
    log: sink.log,
    clock,
    maxRetries: 3,
    maxRetryWaitMs: 10_000,
    random: () => 0.5,
    metrics: {
      onRetry: (r) => events.retries.push(r),
      onRateLimitWait: (ms) => events.waits.push(ms),
      onRateLimitRemaining: (n) => events.remaining.push(n),
      onRequest: (endpoint, status) => events.requests.push([endpoint, status]),
    },
    ...extra,
  });
  return { client, clock, sink, events };
};

/**
 * A full sync of the fake through its admin key (real clock; `connector` overrides the options) into a new c1z
 * at `path`, finished; the sync's summary. `concurrency` is the sync's, `timeoutMs` bounds the whole sync.
 */
export const syncToC1z = async (
  fake: FakeFivetran,
  path: string,
  o: {
    log: Logger;
    connector?: Partial<FivetranConnectorOptions>;
    concurrency?: number;
    timeoutMs?: number;
  },
): Promise<SyncSummary> => {
  const registry = new ConnectorRegistry(
    createFivetranConnector({
      baseUrl: fake.baseUrl,
      apiKey: fake.keys.admin.key,
      apiSecret: fake.keys.admin.secret,
      timeoutMs: 5000,
      concurrency: 4,
      log: o.log,
      version: 'test',
      ...o.connector,
    }),
  );
  const writer = C1zWriter.create({ path });
  const summary = await runSync({
    registry,
    store: writer,
    signal: AbortSignal.timeout(o.timeoutMs ?? 20_000),
    log: o.log,
    concurrency: o.concurrency,
  });
  await writer.finish();
  return summary;
};

/** The BatonError `p` rejects with; fails when it resolves. */
export const caught = async (p: Promise<unknown>): Promise<FivetranApiError> => {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BatonError);
    return err as FivetranApiError;
  }
  throw new Error('expected a rejection');
};

export const signal = (): AbortSignal => AbortSignal.timeout(20_000);

/** Call options with a fresh bounded signal. */
export const opts = () => ({ signal: signal() });

export const res = (type: string, id: string): Resource => ({ id: resourceId(type, id) });

export const ent = (type: string, id: string, slug: string): Entitlement => ({
  id: entitlementId(resourceId(type, id), slug),
  resource: res(type, id),
});

/** Adds user number `n`: active and verified, with no role, group or team. */
export const addPlainUser = (fake: FakeFivetran, n: number, prefix: string, givenName: string) =>
  fake.state.addUser({
    id: `${prefix}_user${n}`,
    email: `${prefix}${n}@example.com`,
    given_name: givenName,
    family_name: `User${n}`,
    verified: true,
    invited: false,
    active: true,
    picture: null,
    phone: null,
    role: null,
    logged_in_at: null,
    created_at: '2025-01-01T00:00:00Z',
    user_type: 'REGULAR_USER',
  });

export const grantOf = (e: Entitlement, p: Resource): Grant => ({
  id: grantId(e.id, p),
  entitlement: e,
  principal: p,
});

/** Drains a paged listing, failing if it does not end within `maxPages`. */
export const drain = async <T>(
  fetchPage: (pageToken: string | undefined) => Promise<{ items: readonly T[]; nextPageToken?: string }>,
  maxPages = 100,
): Promise<{ items: T[]; pages: number }> => {
  const items: T[] = [];
  let token: string | undefined;
  for (let pages = 1; pages <= maxPages; pages++) {
    const page = await fetchPage(token);
    items.push(...page.items);
    if (!page.nextPageToken) return { items, pages };
    if (page.nextPageToken === token) throw new Error('page token repeated');
    token = page.nextPageToken;
  }
  throw new Error('too many pages');
};
