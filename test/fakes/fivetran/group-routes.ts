import type { FakeUser } from './entities.js';
import {
  booleanFilter,
  conflict,
  created,
  FakeHttpError,
  ok,
  paginate,
  requiredString,
} from './http-reply.js';
import type { Route, RouteContext } from './route.js';
import { findGroup, findUser, roleField } from './user-routes.js';

/**
 * `GET /v1/groups/{id}/users`: direct members with their group role, then users who see the group only through
 * an account-level role, with `role: null` (spec §6.1).
 */
function listGroupUsers(ctx: RouteContext) {
  const group = findGroup(ctx.state, ctx.params.groupId!);
  const active = booleanFilter(ctx.query, 'active');
  const direct = ctx.state.groupUsers.get(group.id) ?? new Map();
  const rows: [FakeUser, string | null][] = [];
  for (const [userId, m] of direct) {
    const user = ctx.state.users.get(userId);
    if (user && (active === undefined || user.active === active)) rows.push([user, m.role]);
  }
  for (const user of ctx.state.users.values()) {
    if (active !== undefined && user.active !== active) continue;
    if (!direct.has(user.id) && ctx.state.isAccountLevel(user)) rows.push([user, null]);
  }
  const page = paginate(rows, ctx.query, ctx.pageStyle);
  const items = page.items.map(([user, role]) => ({ ...user, role }));
  return ok('Group users retrieved successfully', { ...page, items });
}

function addGroupUser(ctx: RouteContext) {
  const group = findGroup(ctx.state, ctx.params.groupId!);
  const email = requiredString(ctx.body, 'email');
  const role = roleField(ctx, 'role', 'DESTINATION');
  const user = ctx.state.userByEmail(email);
  if (!user) throw new FakeHttpError(404, 'NotFound_User', `User with email '${email}' does not exist.`);
  if (ctx.state.groupUsers.get(group.id)?.has(user.id)) {
    throw conflict(`User with id '${user.id}' is already a member of group '${group.id}'`);
  }
  ctx.state.setGroupMembership(user.id, group.id, role);
  return ok('User has been added to the group');
}

function removeGroupUser(ctx: RouteContext) {
  const group = findGroup(ctx.state, ctx.params.groupId!);
  const user = findUser(ctx.state, ctx.params.userId!);
  if (!ctx.state.removeGroupMembership(user.id, group.id)) {
    // Also what Fivetran answers for a user who sees the group only through an account role (TF #480).
    throw new FakeHttpError(
      404,
      'NotFound',
      `User with id '${user.id}' is not a member of group '${group.id}'`,
    );
  }
  return ok(`User with id '${user.id}' has been removed from the group`);
}

function createGroup(ctx: RouteContext) {
  const name = requiredString(ctx.body, 'name');
  for (const g of ctx.state.groups.values()) {
    if (g.name === name) throw conflict(`Group with name '${name}' already exists`);
  }
  const group = ctx.state.addGroup({ id: ctx.state.newId(), name, created_at: ctx.state.timestamp() });
  // A group created with a user key gets the key's owner as a member (spec §3.5, TF #477).
  if (ctx.caller.kind === 'user')
    ctx.state.setGroupMembership(ctx.caller.userId, group.id, 'Manage Destination');
  return created('Group has been created', group);
}

export const groupRoutes: Route[] = [
  {
    method: 'GET',
    path: '/groups',
    handle: (ctx) =>
      ok('Groups retrieved successfully', paginate([...ctx.state.groups.values()], ctx.query, ctx.pageStyle)),
  },
  { method: 'POST', path: '/groups', handle: createGroup },
  {
    method: 'GET',
    path: '/groups/:groupId',
    handle: (ctx) => ok('Group details retrieved successfully', findGroup(ctx.state, ctx.params.groupId!)),
  },
  {
    method: 'DELETE',
    path: '/groups/:groupId',
    handle: (ctx) => {
      ctx.state.removeGroup(findGroup(ctx.state, ctx.params.groupId!).id);
      return ok('Group has been deleted');
    },
  },
  { method: 'GET', path: '/groups/:groupId/users', handle: listGroupUsers },
  { method: 'POST', path: '/groups/:groupId/users', handle: addGroupUser },
  { method: 'DELETE', path: '/groups/:groupId/users/:userId', handle: removeGroupUser },
];
