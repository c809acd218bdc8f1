import { pino } from 'pino';
import type { Logger } from 'pino';
import { annotations, ConnectorRegistry } from '../../../src/connector/index.js';
import type {
  AccountInfo,
  CallOptions,
  Clock,
  Connector,
  CreateAccountResult,
  DeleteResult,
  Entitlement,
  Grant,
  GrantResult,
  Resource,
  ResourceId,
  ResourceSyncer,
  RevokeResult,
} from '../../../src/connector/index.js';
import type { BatonTask, TaskKind } from '../../../src/control-plane/baton-service-client.js';
import type { TaskContext } from '../../../src/tasks/index.js';

/** Lets pending I/O callbacks and promise chains run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * Waits (without timers) until `pred` holds; fails after at least 5000 event-loop turns and 10 s of wall time,
 * so real file I/O on a loaded machine (it runs on the thread pool, not in turns) still gets its chance.
 */
export async function eventually(pred: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let i = 0; ; i++) {
    if (pred()) return;
    if (i >= 5000 && Date.now() > deadline) break;
    await new Promise<void>((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Sleeper {
  readonly at: number;
  readonly resolve: () => void;
  readonly cleanup: () => void;
}

/** A clock that moves only when told; `sleepers` lists pending sleep durations' deadlines. */
export class FakeClock implements Clock {
  #now: number;
  readonly #sleepers: Sleeper[] = [];
  /** Every duration passed to `sleep`, in order. */
  readonly sleeps: number[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  get pending(): number {
    return this.#sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        const i = this.#sleepers.indexOf(sleeper);
        if (i >= 0) this.#sleepers.splice(i, 1);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        at: this.#now + Math.max(ms, 0),
        resolve,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Moves time forward, waking sleepers in deadline order and letting each wake-up run. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await settle();
    for (;;) {
      const due = this.#sleepers.filter((s) => s.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#sleepers.splice(this.#sleepers.indexOf(due), 1);
      this.#now = Math.max(this.#now, due.at);
      due.cleanup();
      due.resolve();
      await settle();
    }
    this.#now = end;
    await settle();
  }

  /** Waits until at least `n` sleeps are pending. */
  async waitForSleepers(n = 1): Promise<void> {
    await eventually(() => this.#sleepers.length >= n, `${n} pending sleeps`);
  }
}

export interface LogSink {
  readonly log: Logger;
  readonly lines: Record<string, unknown>[];
}

/** A pino logger writing parsed JSON lines into memory. */
export function logSink(): LogSink {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}

export const rid = (resourceType: string, resource: string): ResourceId => ({ resourceType, resource });

export const user = (id: string): Resource => ({
  id: rid('user', id),
  displayName: `User ${id}`,
  annotations: [annotations.userTrait({ login: `${id}@example.com` })],
});

export const team = (id: string): Resource => ({ id: rid('team', id), displayName: `Team ${id}` });

export const memberOf = (t: Resource): Entitlement => ({
  resource: t,
  id: `team:${t.id.resource}:member`,
  displayName: 'member',
  slug: 'member',
});

export const grantOf = (t: Resource, u: Resource): Grant => ({
  entitlement: memberOf(t),
  principal: u,
  id: `team:${t.id.resource}:member:user:${u.id.resource}`,
});

type Op = 'validate' | 'list' | 'grant' | 'revoke' | 'createAccount' | 'deleteResource';

/**
 * A small in-memory connector: `user` (account creation, deletion) and `team` (membership grant/revoke).
 * Records every call; `fail` makes an operation throw; `hold` makes it wait until its signal aborts.
 */
export class TestConnector implements Connector {
  readonly calls: { readonly op: Op; readonly args: readonly unknown[] }[] = [];
  readonly fail: Partial<Record<Op, Error>> = {};
  readonly hold = new Set<Op>();
  users: Resource[] = [user('u1'), user('u2')];
  teams: Resource[] = [team('t1')];
  grantResult: GrantResult = {};
  revokeResult: RevokeResult = {};
  createResult: CreateAccountResult = { kind: 'success', resource: user('new') };
  deleteResult: DeleteResult = {};

  async #call(op: Op, o: CallOptions, ...args: unknown[]): Promise<void> {
    this.calls.push({ op, args });
    if (this.hold.has(op)) {
      await new Promise((_, reject) => {
        if (o.signal.aborted) return reject(o.signal.reason);
        o.signal.addEventListener('abort', () => reject(o.signal.reason), { once: true });
      });
    }
    const err = this.fail[op];
    if (err) throw err;
  }

  count(op?: Op): number {
    return this.calls.filter((c) => op === undefined || c.op === op).length;
  }

  metadata() {
    return { displayName: 'Test' };
  }

  async validate(o: CallOptions) {
    await this.#call('validate', o);
    return {};
  }

  resourceSyncers(): ResourceSyncer[] {
    const userSyncer = {
      resourceType: { id: 'user', displayName: 'User', traits: ['TRAIT_USER' as const] },
      list: async (_p: ResourceId | undefined, req: CallOptions) => {
        await this.#call('list', req, 'user');
        return { items: this.users };
      },
      entitlements: async () => ({ items: [] }),
      grants: async () => ({ items: [] }),
      credentialOptions: {
        supported: ['CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD' as const],
        preferred: 'CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD' as const,
      },
      createAccount: async (info: AccountInfo, o: CallOptions) => {
        await this.#call('createAccount', o, info);
        return this.createResult;
      },
      deleteResource: async (id: ResourceId, parent: ResourceId | undefined, o: CallOptions) => {
        await this.#call('deleteResource', o, id, parent);
        return this.deleteResult;
      },
    };
    const teamSyncer = {
      resourceType: { id: 'team', displayName: 'Team' },
      list: async (_p: ResourceId | undefined, req: CallOptions) => {
        await this.#call('list', req, 'team');
        return { items: this.teams };
      },
      entitlements: async (r: Resource) => ({ items: [memberOf(r)] }),
      grants: async (r: Resource) => ({ items: this.users.map((u) => grantOf(r, u)) }),
      grant: async (principal: Resource, entitlement: Entitlement, o: CallOptions) => {
        await this.#call('grant', o, principal, entitlement);
        return this.grantResult;
      },
      revoke: async (g: Grant, o: CallOptions) => {
        await this.#call('revoke', o, g);
        return this.revokeResult;
      },
    };
    return [userSyncer, teamSyncer];
  }

  registry(): ConnectorRegistry {
    return new ConnectorRegistry(this);
  }
}

let seq = 0;
/** A task with a valid 27-character id. */
export function task(kind: TaskKind, payload: Record<string, unknown> = {}): BatonTask {
  seq++;
  return { id: `task${String(seq).padStart(23, '0')}`, kind, payload };
}

/** A TaskContext for calling a handler directly, recording heartbeats, uploads and hellos. */
export function testContext(o: { signal?: AbortSignal; clock?: Clock; log?: Logger } = {}) {
  const events: string[] = [];
  const uploads: string[] = [];
  const ctx: TaskContext & { events: string[]; uploads: string[] } = {
    signal: o.signal ?? new AbortController().signal,
    log: o.log ?? logSink().log,
    clock: o.clock ?? new FakeClock(),
    startHeartbeats: async () => void events.push('heartbeats'),
    upload: async (path) => {
      events.push('upload');
      uploads.push(path);
    },
    hello: async () => void events.push('hello'),
    events,
    uploads,
  };
  return ctx;
}
