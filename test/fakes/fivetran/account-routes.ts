import { ok, paginate } from './http-reply.js';
import type { Route } from './route.js';

export const accountRoutes: Route[] = [
  {
    method: 'GET',
    path: '/account/info',
    handle: ({ state, caller }) =>
      ok('Account information retrieved successfully', {
        account_id: state.accountId,
        account_name: state.accountName,
        user_id: caller.kind === 'user' ? caller.userId : null,
        system_key_id: caller.kind === 'system' ? caller.systemKeyId : null,
      }),
  },
  {
    method: 'GET',
    path: '/roles',
    handle: (ctx) =>
      ok('Roles list retrieved successfully', paginate(ctx.state.roles, ctx.query, ctx.pageStyle)),
  },
];
