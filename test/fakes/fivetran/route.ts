import type { FakeState } from './fake-state.js';
import type { JsonBody, PageStyle, Reply } from './http-reply.js';
import type { ApiKeyEntry } from './keys.js';

/** What a route handler gets: parsed input, the live state and the authenticated key. */
export interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** The parsed JSON object body of a POST/PATCH; `{}` otherwise. */
  readonly body: JsonBody;
  readonly state: FakeState;
  readonly caller: ApiKeyEntry;
  readonly pageStyle: PageStyle;
  /** Takes one unit of the hourly invite quota; throws a 429 `FakeHttpError` when it is used up. */
  takeInvite(): void;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** `path` is a template below `/v1`, e.g. `/users/:userId/groups/:groupId`. */
export interface Route {
  readonly method: Method;
  readonly path: string;
  handle(ctx: RouteContext): Reply;
}
