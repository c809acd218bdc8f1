import type { Logger } from 'pino';
import type { Clock } from '../connector/index.js';
import type { BatonServiceClient } from './baton-service-client.js';
import { heartbeatIntervalMs } from './backoff.js';
import { TaskAbortedError } from './finish-error.js';

/** Consecutive periodic failures after which the task is abandoned (control-plane.md §4.5). */
export const MAX_HEARTBEAT_FAILURES = 9;

export class HeartbeatFailedError extends TaskAbortedError {
  override readonly name = 'HeartbeatFailedError';
  constructor(message: string, opts?: { cause?: unknown }) {
    super('HEARTBEAT_FAILED', message, opts);
  }
}

export class TaskCancelledError extends TaskAbortedError {
  override readonly name = 'TaskCancelledError';
  constructor(message: string) {
    super('CANCELLED', message);
  }
}

export interface HeartbeaterOptions {
  readonly client: Pick<BatonServiceClient, 'heartbeat'>;
  readonly taskId: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Aborts the task's own controller; called at most once. */
  readonly abortTask: (reason: TaskAbortedError) => void;
}

export type HeartbeaterState = 'idle' | 'running' | 'initial-failed' | 'stopped';

/**
 * Keeps one task alive: a synchronous first heartbeat, then one at a time at the server's interval.
 * Only one heartbeat is ever in flight because the periodic loop awaits each before sleeping again.
 */
export class Heartbeater {
  readonly #o: HeartbeaterOptions;
  readonly #stop = new AbortController();
  #state: HeartbeaterState = 'idle';
  #loop: Promise<void> | undefined;
  #lastAckAt = 0;
  #intervalMs = 0;

  constructor(o: HeartbeaterOptions) {
    this.#o = o;
  }

  get state(): HeartbeaterState {
    return this.#state;
  }

  /**
   * Epoch ms until which the control plane still counts this task as ours: the last acknowledged heartbeat
   * plus the failures it takes us to give the task up. 0 before the first acknowledgement.
   */
  get leaseExpiresAt(): number {
    return this.#lastAckAt === 0 ? 0 : this.#lastAckAt + (MAX_HEARTBEAT_FAILURES + 1) * this.#intervalMs;
  }

  #acknowledged(intervalMs: number): void {
    this.#lastAckAt = this.#o.clock.now();
    this.#intervalMs = intervalMs;
  }

  /**
   * Sends the initial heartbeat. On failure or cancellation it throws and the task must end without
   * FinishTask (state `initial-failed`); otherwise periodic heartbeats start in the background.
   */
  async start(taskSignal: AbortSignal): Promise<void> {
    if (this.#state !== 'idle') throw new Error('heartbeater already started');
    this.#state = 'running';
    const signal = AbortSignal.any([taskSignal, this.#stop.signal]);
    let intervalMs: number;
    try {
      const res = await this.#o.client.heartbeat(this.#o.taskId, { signal });
      if (res.cancelled) throw new TaskCancelledError('baton-fivetran: task cancelled by the control plane');
      intervalMs = heartbeatIntervalMs(res.nextHeartbeatMs);
      this.#acknowledged(intervalMs);
    } catch (err) {
      this.#state = 'initial-failed';
      this.#stop.abort();
      if (err instanceof TaskAbortedError) throw err;
      throw new HeartbeatFailedError('baton-fivetran: initial heartbeat failed', { cause: err });
    }
    this.#loop = this.#periodic(intervalMs, signal).catch((err: unknown) => {
      this.#o.log.error({ err }, 'heartbeat loop crashed');
    });
  }

  /** Stops periodic heartbeats and clears the pending timer; waits for an in-flight heartbeat to settle. */
  async stop(): Promise<void> {
    if (this.#state === 'running') this.#state = 'stopped';
    this.#stop.abort();
    await this.#loop;
  }

  async #periodic(initialMs: number, signal: AbortSignal): Promise<void> {
    let intervalMs = initialMs;
    let failures = 0;
    for (;;) {
      if (failures >= MAX_HEARTBEAT_FAILURES) {
        this.#o.log.error({ attempt: failures }, 'heartbeats keep failing, abandoning the task');
        this.#o.abortTask(
          new HeartbeatFailedError(`baton-fivetran: ${failures} consecutive heartbeats failed`),
        );
        return;
      }
      try {
        await this.#o.clock.sleep(intervalMs, signal);
      } catch {
        return; // stopped, or the task ended
      }
      try {
        const res = await this.#o.client.heartbeat(this.#o.taskId, { signal });
        failures = 0;
        intervalMs = heartbeatIntervalMs(res.nextHeartbeatMs);
        if (!res.cancelled) this.#acknowledged(intervalMs);
        if (res.cancelled) {
          this.#o.log.info('task cancelled by the control plane');
          this.#o.abortTask(new TaskCancelledError('baton-fivetran: task cancelled by the control plane'));
          return;
        }
      } catch (err) {
        if (signal.aborted) return;
        failures++;
        this.#o.log.warn({ err, attempt: failures }, 'heartbeat failed, retrying at the next interval');
      }
    }
  }
}
