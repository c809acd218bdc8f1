import type { FakeUser, UserType } from './entities.js';
import type { FakeState } from './fake-state.js';
import {
  badRequest,
  booleanFilter,
  conflict,
  created,
  invalidInput,
  notFound,
  ok,
  optionalString,
  paginate,
  requiredString,
} from './http-reply.js';
import type { ApiKeyEntry } from './keys.js';
import { ACCOUNT_ADMINISTRATOR } from './role-catalogue.js';
import { membershipRoutes } from './membership-routes.js';
import type { Route, RouteContext } from './route.js';

export function findUser(state: FakeState, userId: string): FakeUser {
  const user = state.users.get(userId);
  if (!user) throw notFound('User', userId);
  return user;
}

export function findGroup(state: FakeState, groupId: string) {
  const group = state.groups.get(groupId);
  if (!group) throw notFound('Group', groupId);
  return group;
}

/** A required role name that exists in the catalogue with `scope`, else 400 InvalidInput. */
export function roleField(ctx: RouteContext, field: string, scope: 'ACCOUNT' | 'DESTINATION' | 'TEAM') {
  const role = requiredString(ctx.body, field);
  if (!ctx.state.roleHasScope(role, scope))
    throw invalidInput(`Invalid ${scope.toLowerCase()} role '${role}'`);
  return role;
}

function accountRoleField(ctx: RouteContext): string | null | undefined {
  const role = optionalString(ctx.body, 'role', true);
  if (role === undefined || role === null) return role;
  if (!ctx.state.roleHasScope(role, 'ACCOUNT')) throw invalidInput(`Invalid account role '${role}'`);
  return role;
}

/** Enforces "you cannot change your own role" and "the last Account Administrator stays". */
function checkRoleChange(state: FakeState, caller: ApiKeyEntry, user: FakeUser, next: string | null): void {
  if (next === user.role) return;
  if (caller.kind === 'user' && caller.userId === user.id)
    throw badRequest('You cannot change your own role');
  if (user.role === ACCOUNT_ADMINISTRATOR && state.accountAdministratorCount() <= 1) {
    throw badRequest(`User with id '${user.id}' is the last Account Administrator`);
  }
}

function listUsers(ctx: RouteContext) {
  const active = booleanFilter(ctx.query, 'active');
  const type = ctx.query.user_type;
  let users = [...ctx.state.users.values()];
  if (active !== undefined) users = users.filter((u) => u.active === active);
  if (type !== undefined) users = users.filter((u) => u.user_type === type);
  return ok('Users list retrieved successfully', paginate(users, ctx.query, ctx.pageStyle));
}

function inviteUser(ctx: RouteContext) {
  const { state, body } = ctx;
  const email = requiredString(body, 'email');
  const given = requiredString(body, 'given_name');
  const family = requiredString(body, 'family_name');
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw invalidInput(`Invalid email '${email}'`);
  const role = accountRoleField(ctx) ?? null;
  const userType = (optionalString(body, 'user_type') ?? 'REGULAR_USER') as UserType;
  if (userType !== 'REGULAR_USER' && userType !== 'SERVICE_ACCOUNT')
    throw invalidInput(`Invalid user_type '${userType}'`);
  if (state.userByEmail(email)) throw conflict(`User with email '${email}' already exists`);
  ctx.takeInvite();
  const isService = userType === 'SERVICE_ACCOUNT';
  const user = state.addUser({
    id: state.newId(),
    email,
    given_name: given,
    family_name: family,
    verified: isService,
    invited: !isService,
    active: true,
    picture: optionalString(body, 'picture', true) ?? null,
    phone: optionalString(body, 'phone', true) ?? null,
    role,
    logged_in_at: null,
    created_at: state.timestamp(),
    user_type: userType,
  });
  return created('User has been invited to the account', user);
}

function updateUser(ctx: RouteContext) {
  const user = findUser(ctx.state, ctx.params.userId!);
  if ('email' in ctx.body) throw invalidInput("Field 'email' cannot be changed");
  const given = optionalString(ctx.body, 'given_name');
  const family = optionalString(ctx.body, 'family_name');
  const phone = optionalString(ctx.body, 'phone', true);
  const picture = optionalString(ctx.body, 'picture', true);
  const role = accountRoleField(ctx);
  if (role !== undefined) checkRoleChange(ctx.state, ctx.caller, user, role);
  if (given) user.given_name = given;
  if (family) user.family_name = family;
  if (phone !== undefined) user.phone = phone;
  if (picture !== undefined) user.picture = picture;
  if (role !== undefined) user.role = role;
  return ok('User has been updated', user);
}

function deleteUser(ctx: RouteContext) {
  const user = findUser(ctx.state, ctx.params.userId!);
  if (user.role === ACCOUNT_ADMINISTRATOR && ctx.state.accountAdministratorCount() <= 1) {
    throw badRequest(`User with id '${user.id}' is the last Account Administrator and cannot be deleted`);
  }
  ctx.state.removeUser(user.id);
  return ok(`User with id '${user.id}' has been deleted`);
}

function removeUserRole(ctx: RouteContext) {
  const user = findUser(ctx.state, ctx.params.userId!);
  checkRoleChange(ctx.state, ctx.caller, user, null);
  user.role = null;
  return ok('User role in account has been removed');
}

const userGroups = membershipRoutes({
  path: '/users/:userId/groups/:groupId',
  memberField: 'id',
  findOwner: findUser,
  findMember: findGroup,
  edges: (state) => state.userGroups,
  link: (state, userId, groupId, role) => state.setGroupMembership(userId, groupId, role),
  unlink: (state, userId, groupId) => state.removeGroupMembership(userId, groupId),
  item: (groupId, m) => ({ id: groupId, role: m.role, created_at: m.created_at }),
  role: (ctx) => roleField(ctx, 'role', 'DESTINATION'),
  messages: {
    notMember: (userId, groupId) => `User with id '${userId}' is not a member of group '${groupId}'`,
    alreadyMember: (userId, groupId) => `User with id '${userId}' is already a member of group '${groupId}'`,
    listed: 'User memberships in groups retrieved successfully',
    added: 'Group membership has been created',
    read: 'User membership in group retrieved successfully',
    updated: 'Group membership has been updated',
    removed: 'Group membership has been deleted',
  },
});

export const userRoutes: Route[] = [
  { method: 'GET', path: '/users', handle: listUsers },
  { method: 'POST', path: '/users', handle: inviteUser },
  {
    method: 'GET',
    path: '/users/:userId',
    handle: (ctx) => ok('User details retrieved successfully', findUser(ctx.state, ctx.params.userId!)),
  },
  { method: 'PATCH', path: '/users/:userId', handle: updateUser },
  { method: 'DELETE', path: '/users/:userId', handle: deleteUser },
  { method: 'DELETE', path: '/users/:userId/role', handle: removeUserRole },
  ...userGroups,
];
