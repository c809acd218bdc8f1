import type { Logger } from 'pino';
import { codeName, toBatonError, type Clock } from '../connector/index.js';
import { DEFAULT_HEARTBEAT_MS, doublingBackoffMs } from './backoff.js';
import { isFatalCode } from './grpc-error.js';
import { MAX_HEARTBEAT_FAILURES } from './heartbeater.js';

/**
 * How long the control plane can go without hearing from a task before the SDK itself gives it up: 9 missed
 * heartbeats at the default 30 s interval. Used as the lease of tasks that do not heartbeat.
 */
const DEFAULT_LEASE_MS = MAX_HEARTBEAT_FAILURES * DEFAULT_HEARTBEAT_MS;
/** Waits between attempts: 1 s doubling, at most 15 s. */
const MAX_WAIT_MS = 15_000;

export interface LeaseRetryOptions {
  /** For logs: `upload`, `FinishTask`. */
  readonly what: string;
  /**
   * Epoch ms after which the control plane may have given the task to another worker; 0 while no heartbeat
   * was acknowledged, and then the default lease from the first attempt applies.
   */
  readonly leaseExpiresAt: () => number;
  /** Stops the retries (not an attempt in flight): the task was cancelled, its lease lost, or shutdown ended. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Runs `attempt` until it succeeds, retrying every failure but the fatal codes (so UNAVAILABLE, INTERNAL and
 * an attempt's own deadline are retried) with capped backoff while the task still holds its lease. Throws the
 * last error when the failure is final, the lease has ended, or `signal` aborts.
 */
export async function retryWithinLease<T>(attempt: () => Promise<T>, o: LeaseRetryOptions): Promise<T> {
  const defaultLeaseEnd = o.clock.now() + DEFAULT_LEASE_MS;
  for (let failures = 0; ;) {
    try {
      const result = await attempt();
      if (failures > 0) o.log.info({ attempt: failures + 1 }, `${o.what} succeeded after retries`);
      return result;
    } catch (err) {
      const e = toBatonError(err);
      failures++;
      // The last wait is cut short so one more attempt still falls inside the lease.
      const leftMs = (o.leaseExpiresAt() || defaultLeaseEnd) - o.clock.now();
      const waitMs = Math.min(doublingBackoffMs(failures, MAX_WAIT_MS), leftMs);
      // Not `e.retryable`: an attempt that ran out of its own deadline is worth another try within the lease.
      if (isFatalCode(e.code) || o.signal.aborted || leftMs <= 0) throw err;
      o.log.warn(
        { err: e, grpcCode: codeName(e.code), attempt: failures, waitMs },
        `${o.what} failed; retrying`,
      );
      try {
        await o.clock.sleep(waitMs, o.signal);
      } catch {
        throw err;
      }
    }
  }
}
