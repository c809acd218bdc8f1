import { BatonError, Code } from '../connector/index.js';
import type { RpcStatus } from './baton-service-client.js';

/** Why the runtime stopped a task from outside: a server cancel, lost heartbeats, or the shutdown grace end. */
export type TaskAbortReason = 'CANCELLED' | 'HEARTBEAT_FAILED' | 'WORKER_SHUTDOWN';

/** The reason a task's AbortSignal carries when the runtime aborts it. Always finishes CANCELLED, retryable. */
export class TaskAbortedError extends Error {
  override readonly name: string = 'TaskAbortedError';
  constructor(
    readonly reason: TaskAbortReason,
    message: string,
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
  }
}

export interface FinishError {
  readonly kind: 'error';
  readonly status: RpcStatus;
  readonly nonRetryable: boolean;
}

// Duck-typed: a DOMException from AbortSignal may come from another realm (or a vm context in tests).
const errorLike = (err: unknown): { name?: unknown; message?: unknown } | undefined =>
  typeof err === 'object' && err !== null ? (err as { name?: unknown; message?: unknown }) : undefined;

const isAbortLike = (err: unknown): boolean => {
  const name = errorLike(err)?.name;
  return err instanceof TaskAbortedError || name === 'AbortError' || name === 'TimeoutError';
};

const messageOf = (err: unknown): string => {
  if (typeof err === 'string') return err;
  const e = errorLike(err);
  if (typeof e?.message === 'string' && e.message) return e.message;
  if (typeof e?.name === 'string' && e.name) return e.name;
  return 'unknown error';
};

/**
 * Maps anything a task threw to FinishTask's error shape. `nonRetryable` is the handler's verdict; an
 * abort by the runtime (server cancel, heartbeat loss, shutdown) is always CANCELLED and retryable.
 */
export function toFinishError(err: unknown, o: { readonly nonRetryable: boolean }): FinishError {
  if (isAbortLike(err)) {
    return { kind: 'error', status: { code: Code.CANCELLED, message: messageOf(err) }, nonRetryable: false };
  }
  if (err instanceof BatonError) {
    return { kind: 'error', status: { code: err.code, message: err.message }, nonRetryable: o.nonRetryable };
  }
  return {
    kind: 'error',
    status: { code: Code.UNKNOWN, message: messageOf(err) },
    nonRetryable: o.nonRetryable,
  };
}
