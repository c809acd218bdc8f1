/** Envelope, error and pagination helpers shared by the route handlers (spec fivetran-api.md §2). */

export class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** How the last page signals the end: the real API omits `next_cursor`; Fivetran's Go mocks send null. */
export type LastPageCursor = 'omit' | 'null' | 'empty';

export interface PageStyle {
  readonly lastPageCursor: LastPageCursor;
  /** When true, a full page always carries a cursor, so the list may end with an empty page. */
  readonly emptyFinalPage: boolean;
}

export const ok = (message: string, data?: unknown): Reply => ({
  status: 200,
  body: data === undefined ? { code: 'Success', message } : { code: 'Success', message, data },
});

export const created = (message: string, data: unknown): Reply => ({
  status: 201,
  body: { code: 'Success', message, data },
});

export const invalidInput = (message: string) => new FakeHttpError(400, 'InvalidInput', message);
export const badRequest = (message: string) => new FakeHttpError(400, 'BadRequest', message);
export const conflict = (message: string) => new FakeHttpError(409, 'Conflict', message);
export const notFound = (entity: 'User' | 'Group' | 'Team' | 'Connection', id: string) =>
  new FakeHttpError(404, `NotFound_${entity}`, `${entity} with id '${id}' does not exist.`);

export function encodeCursor(skip: number): string {
  return Buffer.from(JSON.stringify({ skip })).toString('base64').replace(/=+$/, '');
}

function decodeCursor(cursor: string): number {
  try {
    // A client that forgets to URL-encode the cursor turns '+' into ' '.
    const parsed: unknown = JSON.parse(Buffer.from(cursor.replaceAll(' ', '+'), 'base64').toString('utf8'));
    const skip = (parsed as { skip?: unknown } | null)?.skip;
    if (typeof skip === 'number' && Number.isInteger(skip) && skip >= 0) return skip;
  } catch {
    // fall through to the error below
  }
  throw invalidInput(`Invalid cursor '${cursor}'`);
}

/** Slices one page: `limit` 1..1000 (default 100), `cursor` = base64 of `{"skip":N}`. */
export function paginate<T>(all: readonly T[], query: Record<string, string>, style: PageStyle) {
  const limitText = query.limit ?? '100';
  const limit = /^\d+$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= 1000)) {
    throw invalidInput(`Invalid value '${limitText}' for parameter 'limit': must be between 1 and 1000`);
  }
  const skip = query.cursor === undefined || query.cursor === '' ? 0 : decodeCursor(query.cursor);
  const items = all.slice(skip, skip + limit);
  const more = skip + limit < all.length || (style.emptyFinalPage && items.length === limit);
  if (more) return { items, next_cursor: encodeCursor(skip + limit) };
  if (style.lastPageCursor === 'null') return { items, next_cursor: null };
  if (style.lastPageCursor === 'empty') return { items, next_cursor: '' };
  return { items };
}

/** Parses an optional boolean query filter such as `active`. */
export function booleanFilter(query: Record<string, string>, name: string): boolean | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw invalidInput(`Invalid value '${value}' for parameter '${name}': must be true or false`);
}

export type JsonBody = Record<string, unknown>;

export function requiredString(body: JsonBody, field: string): string {
  const value = body[field];
  if (value === undefined || value === null || value === '')
    throw invalidInput(`Field '${field}' is required`);
  if (typeof value !== 'string') throw invalidInput(`Field '${field}' must be a string`);
  return value;
}

/** `undefined` when absent; `null` only when `nullable` (e.g. PATCH clearing `phone`). */
export function optionalString(body: JsonBody, field: string, nullable = false): string | null | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (value === null && nullable) return null;
  if (typeof value !== 'string') throw invalidInput(`Field '${field}' must be a string`);
  return value;
}
