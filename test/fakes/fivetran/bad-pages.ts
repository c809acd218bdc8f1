/**
 * Answers that a misbehaving Fivetran (or a proxy in front of it) could give with a 200: malformed list
 * envelopes, and a list that never ends because every page carries a fresh cursor.
 */
import { encodeCursor } from './http-reply.js';
import type { Outgoing } from './request-pipeline.js';

/** How a `malformed` fault spoils a 200 answer. */
export type MalformedBody =
  /** 200 with no body at all. */
  | 'empty'
  /** 200 with an HTML body. */
  | 'not-json'
  /** `{}`: no `code`, no `data`. */
  | 'no-envelope'
  /** `[]` (sent as text/plain): JSON, but not an object. */
  | 'array-body'
  /** `{"code":"Success","data":null}`. */
  | 'null-data'
  /** `{"code":"Success","data":{}}`: no `items`. */
  | 'no-items'
  /** `{"code":"Success","data":{"items":null}}`. */
  | 'null-items'
  /** The genuine answer with `code` replaced by an error code. */
  | 'error-code'
  /** The genuine answer with `id` (or `user_id`) removed from its first item. */
  | 'item-without-id'
  /** The genuine answer with `id` (or `user_id`) of its first item set to `""`. */
  | 'item-with-empty-id'
  /** The genuine answer with `data.next_cursor` a number. */
  | 'number-cursor';

/** The 200 a `malformed` fault sends instead of (or made from) the genuine answer. */
export function malformedReply(body: MalformedBody, genuine: Outgoing): Outgoing {
  switch (body) {
    case 'empty':
      return { status: 200 };
    case 'not-json':
      return { status: 200, text: '<html><body>Service temporarily unavailable</body></html>' };
    case 'no-envelope':
      return { status: 200, json: {} };
    case 'array-body':
      return { status: 200, text: '[]' };
    case 'null-data':
      return { status: 200, json: { code: 'Success', data: null } };
    case 'no-items':
      return { status: 200, json: { code: 'Success', data: {} } };
    case 'null-items':
      return { status: 200, json: { code: 'Success', data: { items: null } } };
    case 'error-code':
      return { status: 200, json: { ...genuine.json, code: 'InternalError' } };
    case 'item-without-id':
    case 'item-with-empty-id': {
      const data = genuine.json?.data as { items?: Record<string, unknown>[] } | undefined;
      const [first, ...rest] = data?.items ?? [];
      if (!first) return genuine;
      const { id, user_id: userId, ...stripped } = first;
      const spoilt =
        body === 'item-without-id'
          ? stripped
          : {
              ...stripped,
              ...(id !== undefined ? { id: '' } : {}),
              ...(userId !== undefined ? { user_id: '' } : {}),
            };
      return { ...genuine, json: { ...genuine.json, data: { ...data, items: [spoilt, ...rest] } } };
    }
    case 'number-cursor': {
      const data = genuine.json?.data as Record<string, unknown> | undefined;
      return { ...genuine, json: { ...genuine.json, data: { ...data, next_cursor: 2 } } };
    }
  }
}

/**
 * Lists that never end: every GET whose path starts with a registered prefix is answered with the list's
 * first page (whatever cursor was sent) and a cursor never used before.
 */
export class EndlessPaging {
  readonly #prefixes = new Set<string>();
  #served = 0;

  add(prefix: string): void {
    this.#prefixes.add(prefix);
  }

  clear(): void {
    this.#prefixes.clear();
  }

  matches(method: string, path: string): boolean {
    return method === 'GET' && [...this.#prefixes].some((p) => path === p || path === `/v1${p}`);
  }

  /** The query to serve: the first page, whatever cursor was asked for. */
  firstPage(query: Record<string, string>): Record<string, string> {
    const { cursor: _cursor, ...rest } = query;
    return rest;
  }

  /** The first page's answer with a fresh `next_cursor`. */
  endless(reply: Outgoing): Outgoing {
    const data = reply.json?.data as Record<string, unknown> | undefined;
    if (reply.status !== 200 || !data) return reply;
    this.#served++;
    return {
      ...reply,
      json: { ...reply.json, data: { ...data, next_cursor: encodeCursor(1e9 + this.#served) } },
    };
  }
}
