import { ok, paginate, FakeHttpError } from './http-reply.js';
import { ACCOUNT_ADMINISTRATOR } from './role-catalogue.js';
import type { Route, RouteContext } from './route.js';

/**
 * `GET /v1/system-keys`. Only an Account Administrator's user key may manage system keys (fivetran-api.md §4),
 * so any other key gets a 403: the case the connector skips with one warning.
 */
function listSystemKeys(ctx: RouteContext) {
  const caller = ctx.caller;
  const isAdmin =
    caller.kind === 'user' && ctx.state.users.get(caller.userId)?.role === ACCOUNT_ADMINISTRATOR;
  if (!isAdmin) throw new FakeHttpError(403, 'Forbidden', "You don't have permission to read system keys");
  return ok(
    'System keys retrieved successfully',
    paginate([...ctx.state.systemKeys.values()], ctx.query, ctx.pageStyle),
  );
}

export const systemKeyRoutes: Route[] = [{ method: 'GET', path: '/system-keys', handle: listSystemKeys }];
