// gRPC status codes as plain numbers, so connector code needs no gRPC library.
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

export const codeName = (code: number): string =>
  Object.entries(Code).find(([, v]) => v === code)?.[0] ?? `CODE_${code}`;

/** Rate-limit state reported by an upstream API (maps to c1.connector.v2.RateLimitDescription). */
export interface RateLimitInfo {
  readonly limit?: number;
  readonly remaining?: number;
  readonly resetAt?: Date;
}

export interface BatonErrorOptions {
  readonly cause?: unknown;
  /** How long the caller should wait before trying the same call again. */
  readonly retryAfterMs?: number;
  readonly rateLimit?: RateLimitInfo;
  readonly httpStatus?: number;
}

/**
 * Every error we create carries a gRPC code and whether the same call may succeed later.
 * `retryable` drives our own retries; whether C1 should retry a task is decided per task handler.
 */
export class BatonError extends Error {
  override readonly name = 'BatonError';
  readonly retryAfterMs: number | undefined;
  readonly rateLimit: RateLimitInfo | undefined;
  readonly httpStatus: number | undefined;

  constructor(
    readonly code: Code,
    message: string,
    readonly retryable: boolean,
    opts: BatonErrorOptions = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.retryAfterMs = opts.retryAfterMs;
    this.rateLimit = opts.rateLimit;
    this.httpStatus = opts.httpStatus;
  }
}

export const isBatonError = (err: unknown): err is BatonError => err instanceof BatonError;

export const invalidArgument = (msg: string, opts?: BatonErrorOptions) =>
  new BatonError(Code.INVALID_ARGUMENT, msg, false, opts);
export const notFound = (msg: string, opts?: BatonErrorOptions) =>
  new BatonError(Code.NOT_FOUND, msg, false, opts);
export const alreadyExists = (msg: string, opts?: BatonErrorOptions) =>
  new BatonError(Code.ALREADY_EXISTS, msg, false, opts);
export const permissionDenied = (msg: string, opts?: BatonErrorOptions) =>
  new BatonError(Code.PERMISSION_DENIED, msg, false, opts);
export const unauthenticated = (msg: string, opts?: BatonErrorOptions) =>
  new BatonError(Code.UNAUTHENTICATED, msg, false, opts);
export const failedPrecondition = (msg: string, opts?: BatonErrorOptions) =>
  new BatonError(Code.FAILED_PRECONDITION, msg, false, opts);
export const unimplemented = (msg: string, opts?: BatonErrorOptions) =>
  new BatonError(Code.UNIMPLEMENTED, msg, false, opts);
export const internal = (msg: string, opts?: BatonErrorOptions) =>
  new BatonError(Code.INTERNAL, msg, false, opts);
export const unavailable = (msg: string, opts?: BatonErrorOptions) =>
  new BatonError(Code.UNAVAILABLE, msg, true, opts);
export const deadlineExceeded = (msg: string, opts?: BatonErrorOptions) =>
  new BatonError(Code.DEADLINE_EXCEEDED, msg, true, opts);
export const cancelled = (msg: string, opts?: BatonErrorOptions) =>
  new BatonError(Code.CANCELLED, msg, true, opts);

/** Turns anything thrown into a BatonError, keeping the original as `cause`. */
export function toBatonError(err: unknown): BatonError {
  if (err instanceof BatonError) return err;
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
    return cancelled(err.message, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new BatonError(Code.UNKNOWN, message, false, { cause: err });
}
