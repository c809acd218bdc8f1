import type { Logger } from 'pino';
import { Code, Slots, type Clock } from '../connector/index.js';
import type { TaskContext, TaskHandler, TaskHandlers } from '../tasks/index.js';
import { getTaskBackoffMs } from './backoff.js';
import type { BatonServiceClient, BatonTask, FinishResult } from './baton-service-client.js';
import { TaskAbortedError, toFinishError } from './finish-error.js';
import { Heartbeater } from './heartbeater.js';
import { retryWithinLease } from './lease-retry.js';
import { RecentTaskIds } from './recent-task-ids.js';
import { GetTaskSource, TaskQueue, type Polled, type TaskSource } from './task-queue.js';

/** FinishTask runs on its own deadline, never the task's signal, so it still goes out after a cancel. */
export const FINISH_TASK_TIMEOUT_MS = 30_000;

/**
 * - `starting`: constructed, `run` not called yet
 * - `running`: polling and running tasks
 * - `draining`: shutdown requested; no polling, in-flight tasks get the grace period
 * - `stopped`: every task has ended and been finished
 * - `failed`: the loop itself crashed (a bug); in-flight tasks were cancelled
 */
export type TaskLoopState = 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

export interface TaskLoopStatus {
  readonly state: TaskLoopState;
  readonly inFlight: number;
  /** Tasks that ended without error (including hello tasks). */
  readonly tasksDone: number;
  /** Tasks that finished with an error, or ended unfinished after a failed initial heartbeat. */
  readonly tasksFailed: number;
}

export type TaskResultKind = 'success' | 'error' | 'no_finish';

/** Optional observation hooks (ops wires them to prom-client). */
export interface TaskLoopMetrics {
  taskStarted?(taskType: string): void;
  taskEnded?(taskType: string, result: TaskResultKind, durationMs: number): void;
  getTaskFailed?(): void;
  finishTaskFailed?(taskType: string): void;
  /** A task id arrived again while it ran (`in_flight`) or soon after it finished (`finished`). */
  duplicateTask?(state: DuplicateState): void;
}

export type DuplicateState = 'in_flight' | 'finished';

export interface TaskLoopOptions {
  readonly client: BatonServiceClient;
  readonly handlers: TaskHandlers;
  /** `--task-concurrency`, 1..100. */
  readonly concurrency: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics?: TaskLoopMetrics;
  /** How long in-flight tasks may keep running after shutdown is requested. */
  readonly shutdownGraceMs: number;
  /** `BATON_GET_TASKS`: poll with batched GetTasks instead of GetTask (control-plane.md §4.3). */
  readonly getTasks?: boolean;
  /** Finished task ids remembered to drop a second delivery; default 1 hour, at most 10,000 ids. */
  readonly recentTasks?: { readonly windowMs?: number; readonly maxIds?: number };
}

/** The abort reason of tasks still running when the shutdown grace period ends. */
export class GracePeriodExpiredError extends TaskAbortedError {
  override readonly name = 'GracePeriodExpiredError';
  constructor(graceMs: number) {
    super(
      'WORKER_SHUTDOWN',
      `baton-fivetran: shutting down, task cancelled after the ${graceMs} ms grace period`,
    );
  }
}

/** oneof name → snake_case task type, as in the proto and metric labels. */
const taskTypeName = (kind: string): string => kind.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Polls GetTask(s), runs tasks concurrently within the slot limit and sends exactly one FinishTask per task. */
export class TaskLoop {
  readonly #o: TaskLoopOptions;
  readonly #slots: Slots;
  readonly #source: TaskSource;
  readonly #force = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #runningIds = new Set<string>();
  readonly #finishedIds: RecentTaskIds;
  #state: TaskLoopState = 'starting';
  #tasksDone = 0;
  #tasksFailed = 0;

  constructor(o: TaskLoopOptions) {
    if (!Number.isInteger(o.concurrency) || o.concurrency < 1) {
      throw new RangeError(`task concurrency must be a positive integer, got ${o.concurrency}`);
    }
    this.#o = o;
    this.#slots = new Slots(o.concurrency);
    this.#source = o.getTasks ? new TaskQueue(o) : new GetTaskSource(o.client);
    this.#finishedIds = new RecentTaskIds({ clock: o.clock, ...o.recentTasks });
  }

  status(): TaskLoopStatus {
    return {
      state: this.#state,
      inFlight: this.#inFlight.size,
      tasksDone: this.#tasksDone,
      tasksFailed: this.#tasksFailed,
    };
  }

  /** Runs until `root` aborts, then drains in-flight tasks and resolves. */
  async run(root: AbortSignal): Promise<void> {
    if (this.#state !== 'starting') throw new Error('TaskLoop.run may be called only once');
    this.#state = 'running';
    this.#o.log.info({ concurrency: this.#o.concurrency, polling: this.#source.rpc }, 'task loop started');
    try {
      await this.#poll(root);
    } catch (err) {
      this.#state = 'failed';
      this.#o.log.error({ err }, 'task loop failed');
      this.#force.abort(new GracePeriodExpiredError(0));
      await this.#idle();
      throw err;
    }
    this.#state = 'draining';
    await this.#drain();
    this.#state = 'stopped';
    this.#o.log.info({ tasksDone: this.#tasksDone, tasksFailed: this.#tasksFailed }, 'task loop stopped');
  }

  async #poll(root: AbortSignal): Promise<void> {
    const { clock, log } = this.#o;
    let waitMs = 0;
    let errCount = 0;
    while (!root.aborted) {
      if (waitMs > 0 && !(await sleepUnlessAborted(clock, waitMs, root))) return;
      // A slot first, so we never claim a task we cannot start.
      if (!(await this.#slots.acquire(root))) return;
      let res: Polled;
      try {
        res = await this.#source.next(root);
      } catch (err) {
        this.#slots.release();
        if (root.aborted) return;
        errCount++;
        waitMs = getTaskBackoffMs(errCount);
        this.#o.metrics?.getTaskFailed?.();
        log.warn({ err, attempt: errCount, backoffMs: waitMs }, `${this.#source.rpc} failed, backing off`);
        continue;
      }
      errCount = 0;
      waitMs = res.waitMs;
      if (res.task) this.#start(res.task);
      else this.#slots.release();
    }
  }

  #start(task: BatonTask): void {
    const duplicate: DuplicateState | undefined = this.#runningIds.has(task.id)
      ? 'in_flight'
      : this.#finishedIds.has(task.id)
        ? 'finished'
        : undefined;
    if (duplicate) {
      this.#dropDuplicate(task, duplicate);
      return;
    }
    this.#runningIds.add(task.id);
    const p: Promise<void> = this.#runTask(task)
      .then((isSettled) => {
        if (isSettled) this.#finishedIds.add(task.id);
      })
      .catch((err: unknown) => this.#o.log.error({ err, taskId: task.id }, 'task runner crashed'))
      .finally(() => {
        this.#runningIds.delete(task.id);
        this.#inFlight.delete(p);
        this.#source.markDone(task.id);
        this.#slots.release();
      });
    this.#inFlight.add(p);
  }

  /**
   * A second delivery of a task we run or finished gets nothing: no run, no FinishTask. FinishTask is keyed by
   * task id and sent once per task (control-plane.md §4.6), so the first delivery's FinishTask answers both, as
   * the SDK's own GetTasks queue drops ids it already holds without a word (§4.3).
   */
  #dropDuplicate(task: BatonTask, state: DuplicateState): void {
    this.#o.log.warn(
      { taskId: task.id, taskType: taskTypeName(task.kind), state },
      'duplicate task delivery ignored',
    );
    try {
      this.#o.metrics?.duplicateTask?.(state);
    } catch (err) {
      this.#o.log.warn({ err }, 'task metrics hook failed');
    }
    // The running delivery still holds the id in the GetTasks queue; only a finished one is released here.
    if (state === 'finished') this.#source.markDone(task.id);
    this.#slots.release();
  }

  async #drain(): Promise<void> {
    const { clock, log, shutdownGraceMs } = this.#o;
    if (this.#inFlight.size === 0) return;
    log.info({ inFlight: this.#inFlight.size, graceMs: shutdownGraceMs }, 'draining in-flight tasks');
    const graceTimer = new AbortController();
    const isExpired = await Promise.race([
      this.#idle().then(() => false),
      sleepUnlessAborted(clock, shutdownGraceMs, graceTimer.signal),
    ]);
    graceTimer.abort();
    if (isExpired && this.#inFlight.size > 0) {
      log.warn({ inFlight: this.#inFlight.size }, 'grace period over, cancelling in-flight tasks');
      this.#force.abort(new GracePeriodExpiredError(shutdownGraceMs));
    }
    await this.#idle();
  }

  async #idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /**
   * Runs one task to its FinishTask. Resolves true when the control plane has its outcome (FinishTask
   * acknowledged, or a hello task answered), so a second delivery of the id can be dropped.
   */
  async #runTask(task: BatonTask): Promise<boolean> {
    const { client, clock, handlers, metrics } = this.#o;
    const taskType = taskTypeName(task.kind);
    const log = this.#o.log.child({ taskId: task.id, taskType });
    const own = new AbortController();
    const signal = AbortSignal.any([this.#force.signal, own.signal]);
    const startedMs = clock.now();
    let heartbeater: Heartbeater | undefined;
    const ctx: TaskContext = {
      signal,
      log,
      clock,
      startHeartbeats: async () => {
        if (heartbeater) throw new Error('heartbeats already started');
        heartbeater = new Heartbeater({
          client,
          taskId: task.id,
          clock,
          log,
          abortTask: (r) => own.abort(r),
        });
        await heartbeater.start(signal);
      },
      // Retried for as long as the task holds its lease, so a short outage does not discard a finished sync.
      upload: (path) =>
        retryWithinLease(() => client.uploadAsset(task.id, path, { signal }), {
          what: 'upload',
          leaseExpiresAt: () => heartbeater?.leaseExpiresAt ?? 0,
          signal,
          clock,
          log,
        }),
      hello: () => client.hello(task.id, { signal }),
    };
    metrics?.taskStarted?.(taskType);
    log.info('task started');

    const handler = handlers[task.kind];
    let result: FinishResult | undefined;
    let failure: unknown;
    try {
      if (!handler) {
        result = {
          kind: 'error',
          status: { code: Code.UNKNOWN, message: 'unsupported task type' },
          nonRetryable: false,
        };
      } else {
        const outcome = await handler.run(task.payload, ctx);
        if (outcome.kind === 'finish') {
          result = {
            kind: 'success',
            ...(outcome.response ? { response: outcome.response } : {}),
            ...(outcome.annotations?.length ? { annotations: outcome.annotations } : {}),
          };
        }
      }
    } catch (err) {
      failure = err;
      // A failed or cancelled initial heartbeat leaves the task unfinished (control-plane.md §4.5).
      if (heartbeater?.state !== 'initial-failed') {
        const cause: unknown = signal.aborted ? signal.reason : err;
        result = toFinishError(cause, { nonRetryable: safeClassify(handler, err, log) });
      }
    }
    if (!result) await heartbeater?.stop();

    const isFailed = failure !== undefined || result?.kind === 'error';
    if (isFailed) this.#tasksFailed++;
    else this.#tasksDone++;
    const durationMs = clock.now() - startedMs;
    try {
      metrics?.taskEnded?.(
        taskType,
        result ? (result.kind === 'success' ? 'success' : 'error') : 'no_finish',
        durationMs,
      );
    } catch (err) {
      log.warn({ err }, 'task metrics hook failed'); // never at the cost of the FinishTask below
    }
    if (!result) {
      if (failure !== undefined) log.warn({ err: failure, durationMs }, 'task ended without FinishTask');
      else log.info({ durationMs }, 'task ended');
      return failure === undefined;
    }
    if (result.kind === 'success') log.info({ durationMs }, 'task finished');
    else {
      const { code, message } = result.status;
      log.error(
        { err: failure, durationMs, grpcCode: code, message, nonRetryable: result.nonRetryable },
        'task failed',
      );
    }
    try {
      return await this.#finish(task.id, result, { log, taskType, signal, heartbeater });
    } finally {
      await heartbeater?.stop();
    }
  }

  /**
   * Sends FinishTask, retried with backoff while the task holds its lease: heartbeats keep running until it is
   * acknowledged, and a task that does not heartbeat gets the SDK's default lease. FinishTask is keyed by task
   * id, so a retry after a lost answer repeats the same report. Once `signal` aborts (server cancel, lost
   * lease, shutdown) one last attempt is made, and a success is then reported only after a shutdown: a
   * cancelled or abandoned task finishes CANCELLED.
   */
  async #finish(
    taskId: string,
    result: FinishResult,
    o: { log: Logger; taskType: string; signal: AbortSignal; heartbeater: Heartbeater | undefined },
  ): Promise<boolean> {
    const { clock } = this.#o;
    const send = (r: FinishResult) =>
      this.#o.client.finishTask(taskId, r, {
        timeoutMs: FINISH_TASK_TIMEOUT_MS,
        signal: AbortSignal.timeout(FINISH_TASK_TIMEOUT_MS),
      });
    try {
      if (o.signal.aborted) {
        await send(outcomeAfterAbort(result, o.signal));
        return true;
      }
      try {
        await retryWithinLease(() => send(outcomeAfterAbort(result, o.signal)), {
          what: 'FinishTask',
          leaseExpiresAt: () => o.heartbeater?.leaseExpiresAt ?? 0,
          signal: o.signal,
          clock,
          log: o.log,
        });
      } catch (err) {
        if (!o.signal.aborted) throw err;
        const last = outcomeAfterAbort(result, o.signal);
        if (last !== result)
          o.log.warn({ reason: o.signal.reason }, 'task was abandoned; reporting it cancelled');
        await send(last);
      }
      return true;
    } catch (err) {
      this.#o.metrics?.finishTaskFailed?.(o.taskType);
      o.log.error({ err }, 'FinishTask failed');
      return false;
    }
  }
}

/** What to report once the task's signal aborted: a success stands only when shutdown ended the wait. */
function outcomeAfterAbort(result: FinishResult, signal: AbortSignal): FinishResult {
  if (!signal.aborted || result.kind !== 'success') return result;
  const reason: unknown = signal.reason;
  if (reason instanceof TaskAbortedError && reason.reason === 'WORKER_SHUTDOWN') return result;
  return toFinishError(reason, { nonRetryable: false });
}

/** true when the full time passed, false when `signal` aborted first. */
async function sleepUnlessAborted(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await clock.sleep(ms, signal);
    return true;
  } catch {
    if (signal.aborted) return false;
    throw new Error('clock.sleep failed without an abort');
  }
}

/** A classify that throws must not cost the task its FinishTask: treat it as retryable and say so. */
function safeClassify(handler: TaskHandler | undefined, err: unknown, log: Logger): boolean {
  try {
    return handler?.classify(err) ?? false;
  } catch (classifyErr) {
    log.warn({ err: classifyErr }, 'task classify failed; reporting the error as retryable');
    return false;
  }
}
