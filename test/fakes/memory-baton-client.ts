import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type {
  BatonServiceClient,
  BatonTask,
  FinishResult,
  RpcOptions,
} from '../../src/control-plane/baton-service-client.js';

export type Method = 'hello' | 'getTask' | 'getTasks' | 'heartbeat' | 'finishTask' | 'uploadAsset';

export type RecordedCall =
  | { readonly method: 'hello'; readonly taskId: string }
  | { readonly method: 'getTask' }
  | { readonly method: 'getTasks'; readonly pageSize: number; readonly knownTaskIds: readonly string[] }
  | { readonly method: 'heartbeat'; readonly taskId: string }
  | {
      readonly method: 'finishTask';
      readonly taskId: string;
      readonly result: FinishResult;
      readonly timeoutMs: number | undefined;
      /** Whether the signal passed was already aborted when the call was made. */
      readonly isSignalAborted: boolean;
    }
  | {
      readonly method: 'uploadAsset';
      readonly taskId: string;
      readonly path: string;
      readonly bytes: Buffer;
      readonly sha256: string;
    };

export interface GetTaskResponse {
  readonly task?: BatonTask;
  readonly nextPollMs: number;
}

export interface GetTasksResponse {
  readonly tasks: readonly BatonTask[];
  readonly nextPollMs: number;
}

export interface HeartbeatResponse {
  readonly nextHeartbeatMs: number;
  readonly cancelled: boolean;
}

/** Runs before a call answers: may throw to fail it, or wait (e.g. until `signal` aborts). */
export type CallHook = (call: { readonly taskId?: string; readonly signal?: AbortSignal }) => unknown;

const yieldMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Settles like `work`, or rejects with the signal's reason once it aborts first. */
async function untilAborted(work: unknown, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return void (await work);
  signal.throwIfAborted();
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * An in-memory BatonServiceClient: a task queue, scripted responses and failures, and a record of every
 * call in order, failed ones included (uploads with the file's bytes and SHA-256, read at upload time).
 */
export class MemoryBatonClient implements BatonServiceClient {
  readonly calls: RecordedCall[] = [];
  /** next_poll sent with every GetTask answer that has no scripted value. */
  nextPollMs = 0;
  /** next_heartbeat sent when no heartbeat answer is scripted. */
  nextHeartbeatMs = 0;
  isClosed = false;
  readonly #responses: (GetTaskResponse | Error)[] = [];
  readonly #batches: (GetTasksResponse | Error)[] = [];
  readonly #heartbeats: (HeartbeatResponse | Error)[] = [];
  readonly #cancelled = new Set<string>();
  readonly #failures = new Map<Method, Error[]>();
  readonly #hooks = new Map<Method, CallHook>();
  readonly #waiters: { pred: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void }[] = [];

  /** Queues tasks, each answered by one GetTask with the default next_poll. */
  enqueue(...tasks: BatonTask[]): this {
    for (const task of tasks) this.#responses.push({ task, nextPollMs: this.nextPollMs });
    return this;
  }

  /** Queues exact GetTask answers (or errors) ahead of the default idle answer. */
  scriptGetTask(...responses: (GetTaskResponse | Error)[]): this {
    this.#responses.push(...responses);
    return this;
  }

  /**
   * Queues exact GetTasks answers (or errors). Without one, GetTasks takes up to page_size tasks queued by
   * `enqueue` (not in known_task_ids), or throws a scripted GetTask error at the front of that queue.
   */
  scriptGetTasks(...responses: (GetTasksResponse | Error)[]): this {
    this.#batches.push(...responses);
    return this;
  }

  /** Queues heartbeat answers (or errors); afterwards heartbeats succeed with `nextHeartbeatMs`. */
  scriptHeartbeats(...responses: (HeartbeatResponse | Error)[]): this {
    this.#heartbeats.push(...responses);
    return this;
  }

  /** Every later heartbeat for this task answers `cancelled = true`. */
  cancelTask(taskId: string): this {
    this.#cancelled.add(taskId);
    return this;
  }

  /** The next `times` calls of `method` fail with `err`. */
  failNext(method: Method, err: Error, times = 1): this {
    const list = this.#failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(err);
    this.#failures.set(method, list);
    return this;
  }

  /** Runs `hook` before each call of `method` answers (replacing an earlier hook). */
  on(method: Method, hook: CallHook | undefined): this {
    if (hook) this.#hooks.set(method, hook);
    else this.#hooks.delete(method);
    return this;
  }

  count(method: Method): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  finishes(taskId?: string): Extract<RecordedCall, { method: 'finishTask' }>[] {
    return this.calls.filter(
      (c): c is Extract<RecordedCall, { method: 'finishTask' }> =>
        c.method === 'finishTask' && (taskId === undefined || c.taskId === taskId),
    );
  }

  uploads(taskId?: string): Extract<RecordedCall, { method: 'uploadAsset' }>[] {
    return this.calls.filter(
      (c): c is Extract<RecordedCall, { method: 'uploadAsset' }> =>
        c.method === 'uploadAsset' && (taskId === undefined || c.taskId === taskId),
    );
  }

  /** Resolves with the first recorded call (past or future) matching `pred`. */
  waitFor(pred: (c: RecordedCall) => boolean): Promise<RecordedCall> {
    const seen = this.calls.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ pred, resolve }));
  }

  /** Resolves once `method` has been called `n` times in total. */
  async waitForCount(method: Method, n: number): Promise<void> {
    let seen = 0;
    await this.waitFor((c) => c.method === method && ++seen >= n);
  }

  async hello(taskId: string, o?: RpcOptions): Promise<void> {
    this.#record({ method: 'hello', taskId });
    await this.#enter('hello', taskId, o);
  }

  async getTask(o?: RpcOptions): Promise<GetTaskResponse> {
    // A real RPC never answers synchronously; yielding also keeps a next_poll of 0 from starving timers.
    await yieldMacrotask();
    o?.signal?.throwIfAborted();
    this.#record({ method: 'getTask' });
    await this.#enter('getTask', undefined, o);
    const next = this.#responses.shift();
    if (next instanceof Error) throw next;
    return next ?? { nextPollMs: this.nextPollMs };
  }

  async getTasks(
    pageSize: number,
    knownTaskIds: readonly string[],
    o?: RpcOptions,
  ): Promise<GetTasksResponse> {
    await yieldMacrotask();
    o?.signal?.throwIfAborted();
    this.#record({ method: 'getTasks', pageSize, knownTaskIds: [...knownTaskIds] });
    await this.#enter('getTasks', undefined, o);
    const scripted = this.#batches.shift();
    if (scripted instanceof Error) throw scripted;
    if (scripted) return scripted;
    if (this.#responses[0] instanceof Error) throw this.#responses.shift();
    const tasks: BatonTask[] = [];
    for (let i = 0; i < this.#responses.length && tasks.length < pageSize;) {
      const r = this.#responses[i]!;
      if (r instanceof Error) break;
      if (r.task && knownTaskIds.includes(r.task.id)) {
        i++;
        continue;
      }
      this.#responses.splice(i, 1);
      if (r.task) tasks.push(r.task);
    }
    return { tasks, nextPollMs: this.nextPollMs };
  }

  async heartbeat(taskId: string, o?: RpcOptions): Promise<HeartbeatResponse> {
    this.#record({ method: 'heartbeat', taskId });
    await this.#enter('heartbeat', taskId, o);
    const next = this.#heartbeats.shift();
    if (next instanceof Error) throw next;
    const res = next ?? { nextHeartbeatMs: this.nextHeartbeatMs, cancelled: false };
    return this.#cancelled.has(taskId) ? { ...res, cancelled: true } : res;
  }

  async finishTask(taskId: string, result: FinishResult, o?: RpcOptions): Promise<void> {
    this.#record({
      method: 'finishTask',
      taskId,
      result,
      timeoutMs: o?.timeoutMs,
      isSignalAborted: o?.signal?.aborted ?? false,
    });
    await this.#enter('finishTask', taskId, o);
  }

  async uploadAsset(taskId: string, path: string, o?: RpcOptions): Promise<void> {
    o?.signal?.throwIfAborted();
    const bytes = await readFile(path);
    this.#record({
      method: 'uploadAsset',
      taskId,
      path,
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    await this.#enter('uploadAsset', taskId, o);
    o?.signal?.throwIfAborted();
  }

  close(): void {
    this.isClosed = true;
  }

  async #enter(method: Method, taskId: string | undefined, o: RpcOptions | undefined): Promise<void> {
    o?.signal?.throwIfAborted();
    const hook = this.#hooks.get(method);
    if (hook) await untilAborted(hook({ taskId, signal: o?.signal }), o?.signal);
    const err = this.#failures.get(method)?.shift();
    if (err) throw err;
  }

  #record(call: RecordedCall): void {
    this.calls.push(call);
    for (const w of [...this.#waiters]) {
      if (w.pred(call)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(call);
      }
    }
  }
}
