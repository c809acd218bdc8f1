import type { FakeMembership, FakeTeam } from './entities.js';
import type { FakeState } from './fake-state.js';
import {
  booleanFilter,
  conflict,
  created,
  FakeHttpError,
  invalidInput,
  notFound,
  ok,
  optionalString,
  paginate,
  requiredString,
} from './http-reply.js';
import type { Route, RouteContext } from './route.js';
import { findGroup, findUser, roleField } from './user-routes.js';

function findTeam(state: FakeState, teamId: string): FakeTeam {
  const team = state.teams.get(teamId);
  if (!team) throw notFound('Team', teamId);
  return team;
}

const userItem = (userId: string, m: FakeMembership) => ({
  user_id: userId,
  role: m.role,
  created_at: m.created_at,
});
const groupItem = (groupId: string, m: FakeMembership) => ({
  id: groupId,
  role: m.role,
  created_at: m.created_at,
});

function teamRoleField(ctx: RouteContext): string | null | undefined {
  const role = optionalString(ctx.body, 'role', true);
  if (typeof role === 'string' && !ctx.state.roleHasScope(role, 'ACCOUNT')) {
    throw invalidInput(`Invalid account role '${role}'`);
  }
  return role;
}

function teamUser(ctx: RouteContext) {
  const team = findTeam(ctx.state, ctx.params.teamId!);
  const user = findUser(ctx.state, ctx.params.userId!);
  const found = ctx.state.teamUsers.get(team.id)?.get(user.id);
  if (!found)
    throw new FakeHttpError(
      404,
      'NotFound',
      `User with id '${user.id}' is not a member of team '${team.id}'`,
    );
  return { team, user, found };
}

function teamGroup(ctx: RouteContext) {
  const team = findTeam(ctx.state, ctx.params.teamId!);
  const group = findGroup(ctx.state, ctx.params.groupId!);
  const found = ctx.state.teamGroups.get(team.id)?.get(group.id);
  if (!found)
    throw new FakeHttpError(404, 'NotFound', `Team '${team.id}' has no membership in group '${group.id}'`);
  return { team, group, found };
}

function createTeam(ctx: RouteContext) {
  const name = requiredString(ctx.body, 'name');
  const description = optionalString(ctx.body, 'description') ?? '';
  const team = { id: ctx.state.newId(), name, description, role: teamRoleField(ctx) ?? null };
  return created('Team has been created', ctx.state.addTeam(team));
}

function updateTeam(ctx: RouteContext) {
  const team = findTeam(ctx.state, ctx.params.teamId!);
  const name = optionalString(ctx.body, 'name');
  const description = optionalString(ctx.body, 'description');
  const role = teamRoleField(ctx);
  if (name) team.name = name;
  if (description !== undefined && description !== null) team.description = description;
  if (role !== undefined) team.role = role;
  return ok('Team has been updated', team);
}

function listTeamUsers(ctx: RouteContext) {
  const team = findTeam(ctx.state, ctx.params.teamId!);
  const active = booleanFilter(ctx.query, 'active');
  let rows = [...(ctx.state.teamUsers.get(team.id) ?? [])];
  if (active !== undefined) rows = rows.filter(([userId]) => ctx.state.users.get(userId)?.active === active);
  const page = paginate(rows, ctx.query, ctx.pageStyle);
  return ok('Team users retrieved successfully', {
    ...page,
    items: page.items.map(([u, m]) => userItem(u, m)),
  });
}

function addTeamUser(ctx: RouteContext) {
  const team = findTeam(ctx.state, ctx.params.teamId!);
  const userId = requiredString(ctx.body, 'user_id');
  const role = ctx.body.role === undefined ? 'Team Member' : roleField(ctx, 'role', 'TEAM');
  findUser(ctx.state, userId);
  if (ctx.state.teamUsers.get(team.id)?.has(userId)) {
    throw conflict(`User with id '${userId}' is already a member of team '${team.id}'`);
  }
  const m = ctx.state.setTeamMembership(team.id, userId, role);
  return created('User has been added to the team', userItem(userId, m));
}

function addTeamGroup(ctx: RouteContext) {
  const team = findTeam(ctx.state, ctx.params.teamId!);
  const groupId = requiredString(ctx.body, 'id');
  const role = roleField(ctx, 'role', 'DESTINATION');
  findGroup(ctx.state, groupId);
  if (ctx.state.teamGroups.get(team.id)?.has(groupId)) {
    throw conflict(`Team '${team.id}' already has a membership in group '${groupId}'`);
  }
  const m = ctx.state.setTeamGroup(team.id, groupId, role);
  return created('Group membership has been created', groupItem(groupId, m));
}

export const teamRoutes: Route[] = [
  {
    method: 'GET',
    path: '/teams',
    handle: (ctx) =>
      ok('Teams retrieved successfully', paginate([...ctx.state.teams.values()], ctx.query, ctx.pageStyle)),
  },
  { method: 'POST', path: '/teams', handle: createTeam },
  {
    method: 'GET',
    path: '/teams/:teamId',
    handle: (ctx) => ok('Team details retrieved successfully', findTeam(ctx.state, ctx.params.teamId!)),
  },
  { method: 'PATCH', path: '/teams/:teamId', handle: updateTeam },
  {
    method: 'DELETE',
    path: '/teams/:teamId',
    handle: (ctx) => {
      ctx.state.removeTeam(findTeam(ctx.state, ctx.params.teamId!).id);
      return ok('Team has been deleted');
    },
  },
  {
    method: 'DELETE',
    path: '/teams/:teamId/role',
    handle: (ctx) => {
      findTeam(ctx.state, ctx.params.teamId!).role = null;
      return ok('Team role in account has been removed');
    },
  },
  { method: 'GET', path: '/teams/:teamId/users', handle: listTeamUsers },
  { method: 'POST', path: '/teams/:teamId/users', handle: addTeamUser },
  {
    method: 'GET',
    path: '/teams/:teamId/users/:userId',
    handle: (ctx) => {
      const { user, found } = teamUser(ctx);
      return ok('Team user details retrieved successfully', userItem(user.id, found));
    },
  },
  {
    method: 'PATCH',
    path: '/teams/:teamId/users/:userId',
    handle: (ctx) => {
      const { user, found } = teamUser(ctx);
      found.role = roleField(ctx, 'role', 'TEAM');
      return ok('User role has been updated', userItem(user.id, found));
    },
  },
  {
    method: 'DELETE',
    path: '/teams/:teamId/users/:userId',
    handle: (ctx) => {
      const { team, user } = teamUser(ctx);
      ctx.state.removeTeamMembership(team.id, user.id);
      return ok('User has been removed from the team');
    },
  },
  {
    method: 'GET',
    path: '/teams/:teamId/groups',
    handle: (ctx) => {
      const team = findTeam(ctx.state, ctx.params.teamId!);
      const rows = [...(ctx.state.teamGroups.get(team.id) ?? [])].map(([g, m]) => groupItem(g, m));
      return ok('Team group memberships retrieved successfully', paginate(rows, ctx.query, ctx.pageStyle));
    },
  },
  { method: 'POST', path: '/teams/:teamId/groups', handle: addTeamGroup },
  {
    method: 'GET',
    path: '/teams/:teamId/groups/:groupId',
    handle: (ctx) => {
      const { group, found } = teamGroup(ctx);
      return ok('Team group membership retrieved successfully', groupItem(group.id, found));
    },
  },
  {
    method: 'PATCH',
    path: '/teams/:teamId/groups/:groupId',
    handle: (ctx) => {
      const { found } = teamGroup(ctx);
      found.role = roleField(ctx, 'role', 'DESTINATION');
      return ok('Group membership has been updated');
    },
  },
  {
    method: 'DELETE',
    path: '/teams/:teamId/groups/:groupId',
    handle: (ctx) => {
      const { team, group } = teamGroup(ctx);
      ctx.state.removeTeamGroup(team.id, group.id);
      return ok('Group membership has been deleted');
    },
  },
];
