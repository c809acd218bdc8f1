import type { IncomingHttpHeaders } from 'node:http';

import type { FakeState } from './fake-state.js';
import { FakeHttpError, type JsonBody, type PageStyle } from './http-reply.js';
import { accessLevel, type KeyTable } from './keys.js';
import type { RollingQuota } from './rolling-quota.js';
import { Router } from './router.js';

/** A response before it is written; `json` and `text` are exclusive, neither means an empty body. */
export interface Outgoing {
  readonly status: number;
  readonly json?: Record<string, unknown>;
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface PipelineDeps {
  readonly state: FakeState;
  readonly keyTable: KeyTable;
  readonly hourly: RollingQuota;
  readonly invites: RollingQuota;
  readonly pageStyle: PageStyle;
  readonly unauthorizedBody: 'empty' | 'json';
}

export interface IncomingCall {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
}

const error = (
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Outgoing => ({
  status,
  json: { code, message },
  ...(headers ? { headers } : {}),
});

export const unauthorized = (style: 'empty' | 'json'): Outgoing =>
  style === 'json'
    ? error(401, 'Unauthorized', 'Invalid authorization credentials')
    : { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="Fivetran API"' } };

export const forbidden = (verb: string, resource: string): Outgoing =>
  error(403, 'Forbidden', `You don't have permission to ${verb} ${resource}`);

export const tooManyRequests = (message: string, retryAfterSeconds: number): Outgoing =>
  error(429, 'TooManyRequests', message, { 'Retry-After': String(retryAfterSeconds) });

/** Runs one call through Accept, auth, hourly quota, routing, permission, body checks and the handler. */
export class RequestPipeline {
  readonly #router = new Router();

  constructor(private readonly deps: PipelineDeps) {}

  handle(call: IncomingCall): Outgoing {
    const { state, keyTable, hourly, invites } = this.deps;
    if (!call.path.startsWith('/v1/')) return error(404, 'NotFound', `No endpoint ${call.path}`);
    if (!acceptable(call.headers.accept)) {
      return error(
        406,
        'NotAcceptable',
        'Use Accept: application/json or Accept: application/json; version=2',
      );
    }
    const caller = keyTable.authenticate(call.headers.authorization, state);
    if (!caller) return unauthorized(this.deps.unauthorizedBody);
    if (!hourly.take()) {
      const message = `Max ${hourly.limit} api calls allowed in one-hour rolling time period`;
      return tooManyRequests(message, hourly.retryAfterSeconds());
    }
    const path = call.path.slice('/v1'.length);
    const match = this.#router.match(call.method, path);
    if (match.kind === 'not-found') return error(404, 'NotFound', `No endpoint ${call.method} ${call.path}`);
    if (match.kind === 'method-not-allowed') {
      return error(405, 'MethodNotAllowed', `Method ${call.method} is not allowed on ${call.path}`, {
        Allow: match.allowed.join(', '),
      });
    }
    const resource = Router.resourceOf(path) ?? 'ACCOUNT';
    const needed = call.method === 'GET' ? 'READ' : 'MANAGE';
    const level = accessLevel(caller, resource, state);
    if (level === 'NONE' || (needed === 'MANAGE' && level !== 'MANAGE')) {
      return forbidden(needed === 'READ' ? 'read' : 'manage', resource);
    }
    let body: JsonBody = {};
    if (call.method === 'POST' || call.method === 'PATCH') {
      if (!/^application\/json\b/i.test(call.headers['content-type'] ?? '')) {
        return error(415, 'UnsupportedMediaType', 'Content-Type must be application/json');
      }
      const parsed = parseBody(call.rawBody);
      if (!parsed) return error(400, 'InvalidInput', 'Request body must be a JSON object');
      body = parsed;
    }
    try {
      const reply = match.route.handle({
        params: match.params,
        query: call.query,
        body,
        state,
        caller,
        pageStyle: this.deps.pageStyle,
        takeInvite: () => {
          if (invites.take()) return;
          throw new FakeHttpError(
            429,
            'TooManyRequests',
            `No more than ${invites.limit} users can be invited hourly`,
            {
              'Retry-After': String(invites.retryAfterSeconds()),
            },
          );
        },
      });
      return { status: reply.status, json: reply.body };
    } catch (err) {
      if (err instanceof FakeHttpError) return error(err.status, err.code, err.message, err.headers);
      return error(500, 'InternalError', `Fake server error: ${String(err)}`);
    }
  }
}

function acceptable(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((part) => part.split(';')[0]!.trim().toLowerCase())
    .some((type) => type === 'application/json' || type === '*/*' || type === 'application/*');
}

function parseBody(raw: string): JsonBody | undefined {
  if (raw.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JsonBody)
      : undefined;
  } catch {
    return undefined;
  }
}
