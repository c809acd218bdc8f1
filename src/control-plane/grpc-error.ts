import { BatonError, Code, isBatonError } from '../connector/index.js';

// Codes a retry cannot fix: bad credentials, a rejected request, a missing service (control-plane.md §11).
const FATAL_CODES: ReadonlySet<number> = new Set([
  Code.UNAUTHENTICATED,
  Code.PERMISSION_DENIED,
  Code.INVALID_ARGUMENT,
  Code.UNIMPLEMENTED,
  Code.FAILED_PRECONDITION,
  Code.NOT_FOUND,
]);

export const isFatalCode = (code: number): boolean => FATAL_CODES.has(code);

export interface RpcFailureContext {
  /** `Hello`, `GetTask`, … */
  readonly method: string;
  readonly signal?: AbortSignal;
  /** True when our own deadline had passed when the call failed. */
  readonly isLocalDeadline?: boolean;
}

const isServiceError = (err: unknown): err is Error & { code: number; details?: string } =>
  err instanceof Error && typeof (err as { code?: unknown }).code === 'number';

/**
 * A failed BatonService call as a BatonError carrying the gRPC code. `retryable` follows §11: false for
 * the fatal codes and for our own cancellation or deadline, true for everything else.
 */
export function rpcError(err: unknown, ctx: RpcFailureContext): BatonError {
  const prefix = `baton-fivetran: ${ctx.method}`;
  if (ctx.signal?.aborted) {
    return new BatonError(Code.CANCELLED, `${prefix}: cancelled`, false, { cause: ctx.signal.reason });
  }
  if (isBatonError(err)) {
    return new BatonError(err.code, `${prefix}: ${stripPrefix(err.message)}`, err.retryable, { cause: err });
  }
  if (isServiceError(err)) {
    const code = err.code as Code;
    const details = err.details || err.message;
    if (code === Code.DEADLINE_EXCEEDED && ctx.isLocalDeadline) {
      return new BatonError(code, `${prefix}: deadline exceeded`, false, { cause: err });
    }
    return new BatonError(code, `${prefix}: ${details}`, !isFatalCode(code), { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new BatonError(Code.UNKNOWN, `${prefix}: ${message}`, true, { cause: err });
}

const stripPrefix = (message: string) => message.replace(/^baton-fivetran: /, '');
