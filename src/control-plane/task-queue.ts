import type { Logger } from 'pino';
import type { Clock } from '../connector/index.js';
import { clampNextPollMs } from './backoff.js';
import type { BatonServiceClient, BatonTask } from './baton-service-client.js';

/** The wait before asking again when the queue is empty and the next poll is already due. */
export const EMPTY_QUEUE_WAIT_MS = 100;
/** page_size range from baton.proto. */
export const MAX_PAGE_SIZE = 100;

export interface TaskQueueOptions {
  readonly client: Pick<BatonServiceClient, 'getTasks'>;
  /** `--task-concurrency`: the low watermark; the high one is twice that. */
  readonly concurrency: number;
  readonly clock: Clock;
  readonly log: Logger;
}

/** What a poll hands the loop: a task to start now (if any) and how long to wait before polling again. */
export interface Polled {
  readonly task?: BatonTask;
  readonly waitMs: number;
}

/** Where the task loop gets its tasks: GetTask one at a time (the default) or the GetTasks queue. */
export interface TaskSource {
  /** The RPC name, for logs. */
  readonly rpc: 'GetTask' | 'GetTasks';
  /** Rejects with the RPC error when the loop must back off. */
  next(signal: AbortSignal): Promise<Polled>;
  /** The task's processing has returned. */
  markDone(taskId: string): void;
}

/** Polling with GetTask (control-plane.md §4.2): wait the clamped next_poll, task or not. */
export class GetTaskSource implements TaskSource {
  readonly rpc = 'GetTask';
  readonly #client: Pick<BatonServiceClient, 'getTask'>;

  constructor(client: Pick<BatonServiceClient, 'getTask'>) {
    this.#client = client;
  }

  async next(signal: AbortSignal): Promise<Polled> {
    const res = await this.#client.getTask({ signal });
    const waitMs = clampNextPollMs(res.nextPollMs);
    return res.task && res.task.kind !== 'none' ? { task: res.task, waitMs } : { waitMs };
  }

  markDone(): void {}
}

/**
 * Batched polling with GetTasks (control-plane.md §4.3): keeps up to 2 × concurrency tasks queued or in
 * flight, refilling below `concurrency` once the server's next_poll has passed.
 */
export class TaskQueue implements TaskSource {
  readonly rpc = 'GetTasks';
  readonly #o: TaskQueueOptions;
  readonly #low: number;
  readonly #high: number;
  readonly #queued: BatonTask[] = [];
  readonly #inFlight = new Set<string>();
  #nextPollAt = 0;

  constructor(o: TaskQueueOptions) {
    if (!Number.isInteger(o.concurrency) || o.concurrency < 1) {
      throw new RangeError(`task concurrency must be a positive integer, got ${o.concurrency}`);
    }
    this.#o = o;
    this.#low = o.concurrency;
    this.#high = 2 * o.concurrency;
  }

  get queued(): number {
    return this.#queued.length;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Polls when due, then hands out the oldest queued task (now in flight until `markDone`). A GetTasks error
   * is thrown only when nothing is queued; otherwise it is logged and the queue is served.
   */
  async next(signal: AbortSignal): Promise<Polled> {
    const { clock } = this.#o;
    if (this.#known() < this.#low && clock.now() >= this.#nextPollAt) {
      try {
        await this.#fill(signal);
      } catch (err) {
        if (this.#queued.length === 0 || signal.aborted) throw err;
        this.#o.log.warn({ err, queued: this.#queued.length }, 'GetTasks failed; serving queued tasks');
      }
    }
    const task = this.#queued.shift();
    if (task) {
      this.#inFlight.add(task.id);
      return { task, waitMs: 0 };
    }
    return { waitMs: Math.max(0, this.#nextPollAt - clock.now()) || EMPTY_QUEUE_WAIT_MS };
  }

  /** The task's processing has returned: its id stops counting as known. */
  markDone(taskId: string): void {
    this.#inFlight.delete(taskId);
  }

  #known(): number {
    return this.#queued.length + this.#inFlight.size;
  }

  async #fill(signal: AbortSignal): Promise<void> {
    const known = [...this.#queued.map((t) => t.id), ...this.#inFlight];
    const pageSize = Math.min(MAX_PAGE_SIZE, this.#high - known.length);
    const res = await this.#o.client.getTasks(pageSize, known, { signal });
    this.#nextPollAt = this.#o.clock.now() + clampNextPollMs(res.nextPollMs);
    const seen = new Set(known);
    for (const task of res.tasks) {
      if (task.kind === 'none' || seen.has(task.id)) continue;
      seen.add(task.id);
      this.#queued.push(task);
    }
  }
}
