import { STATUS_CODES } from 'node:http';
import { BatonError, Code } from '../connector/index.js';
import type { RateLimitInfo } from '../connector/index.js';

/** A failed Fivetran call: a BatonError that also carries Fivetran's own error `code` and the endpoint. */
export class FivetranApiError extends BatonError {
  constructor(
    code: Code,
    message: string,
    retryable: boolean,
    readonly fivetranCode: string | undefined,
    readonly endpoint: string,
    opts: { cause?: unknown; retryAfterMs?: number; rateLimit?: RateLimitInfo; httpStatus?: number } = {},
  ) {
    super(code, message, retryable, opts);
  }
}

export interface HttpFailure {
  readonly method: string;
  /** Method and concrete path, ids included: `GET /v1/teams/team_1/users`. */
  readonly action: string;
  /** Path template for metrics and logs: `/v1/teams/{teamId}/users`. */
  readonly endpoint: string;
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
  readonly rateLimit?: RateLimitInfo;
  readonly retryAfterMs?: number;
}

interface Envelope {
  readonly code?: string;
  readonly message?: string;
}

/** Fivetran's `{code, message}` from an error body; undefined fields for empty or non-JSON bodies. */
const parseEnvelope = (body: string): Envelope | undefined => {
  const text = body.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== 'object') return undefined;
    const o = v as Record<string, unknown>;
    return {
      code: typeof o.code === 'string' ? o.code : undefined,
      message: typeof o.message === 'string' ? o.message : undefined,
    };
  } catch {
    return undefined;
  }
};

const SCOPES: readonly (readonly [string, string])[] = [
  ['/v1/users', 'USER'],
  ['/v1/teams', 'TEAM'],
  ['/v1/groups', 'DESTINATION'],
  ['/v1/roles', 'ROLES'],
  ['/v1/account', 'ACCOUNT'],
  ['/v1/connections', 'CONNECTOR'],
];

/** Which permission a 403 on this endpoint most likely lacks (fivetran-api.md §4.1). */
const scopeHint = (method: string, endpoint: string): string => {
  const resource = SCOPES.find(([prefix]) => endpoint.startsWith(prefix))?.[1];
  const level = method === 'GET' ? 'READ' : 'MANAGE';
  const scope = resource ? `${resource}:${level} (system key)` : 'the needed permission (system key)';
  return `the API key needs ${scope} or an Account Administrator user key`;
};

const classify = (status: number): { code: Code; retryable: boolean } => {
  if (status === 400) return { code: Code.INVALID_ARGUMENT, retryable: false };
  if (status === 401) return { code: Code.UNAUTHENTICATED, retryable: false };
  if (status === 403) return { code: Code.PERMISSION_DENIED, retryable: false };
  if (status === 404) return { code: Code.NOT_FOUND, retryable: false };
  if (status === 408) return { code: Code.DEADLINE_EXCEEDED, retryable: true };
  if (status === 409) return { code: Code.ALREADY_EXISTS, retryable: false };
  if (status === 501) return { code: Code.UNIMPLEMENTED, retryable: false };
  if (status === 429 || status >= 500) return { code: Code.UNAVAILABLE, retryable: true };
  return { code: Code.INVALID_ARGUMENT, retryable: false };
};

const MAX_DETAIL = 300;

const describeBody = (f: HttpFailure, env: Envelope | undefined): string => {
  if (env?.message) {
    const msg = env.message.length > MAX_DETAIL ? `${env.message.slice(0, MAX_DETAIL)}…` : env.message;
    return env.code ? `${msg} (code ${env.code})` : msg;
  }
  if (env?.code) return `code ${env.code}`;
  if (f.body.trim() === '') return 'empty response body';
  return `non-JSON response body${f.contentType ? ` (${f.contentType.split(';')[0]})` : ''}`;
};

/** Maps a non-2xx Fivetran response to a BatonError with the connector-model §11.2 code. */
export const fivetranHttpError = (f: HttpFailure): FivetranApiError => {
  const env = parseEnvelope(f.body);
  const { code, retryable } = classify(f.status);
  const reason = STATUS_CODES[f.status] ?? 'Unknown Status';
  let message = `baton-fivetran: ${f.action}: ${f.status} ${reason}: ${describeBody(f, env)}`;
  if (f.status === 401) {
    message += '; check the API key and secret (a suspended, expired or rotated key also gives 401)';
  } else if (f.status === 403) {
    message += `; ${scopeHint(f.method, f.endpoint)}`;
  }
  return new FivetranApiError(code, message, retryable, env?.code, f.endpoint, {
    httpStatus: f.status,
    retryAfterMs: f.retryAfterMs,
    rateLimit: f.rateLimit,
  });
};

/**
 * A transport failure (timeout, reset, refused) for which the same call may succeed later. Only the error's
 * code and message are kept, never the error as `cause`: a transport error may carry the request (and with
 * it the Authorization header) and must not reach logs.
 */
export const fivetranNetworkError = (action: string, endpoint: string, err: unknown): FivetranApiError => {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const text = typeof e?.message === 'string' ? e.message : undefined;
  const what = [code, text].filter((x) => x !== undefined).join(': ') || 'unknown error';
  return new FivetranApiError(
    Code.UNAVAILABLE,
    `baton-fivetran: ${action}: network error: ${what}`,
    true,
    undefined,
    endpoint,
    { cause: new Error(what) },
  );
};

/** True for a 404 (Fivetran's `NotFound*` codes), which idempotent deletes and lookups treat as "gone". */
export const isNotFound = (err: unknown): boolean =>
  err instanceof BatonError && (err.httpStatus === 404 || err.code === Code.NOT_FOUND);
