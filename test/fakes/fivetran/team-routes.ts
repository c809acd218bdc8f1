import type { FakeMembership, FakeTeam } from './entities.js';
import type { FakeState } from './fake-state.js';
import {
  booleanFilter,
  created,
  invalidInput,
  notFound,
  ok,
  optionalString,
  paginate,
  requiredString,
} from './http-reply.js';
import { membershipRoutes } from './membership-routes.js';
import type { Route, RouteContext } from './route.js';
import { findGroup, findUser, roleField } from './user-routes.js';

export function findTeam(state: FakeState, teamId: string): FakeTeam {
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

const teamUsers = membershipRoutes({
  path: '/teams/:teamId/users/:userId',
  memberField: 'user_id',
  findOwner: findTeam,
  findMember: findUser,
  edges: (state) => state.teamUsers,
  link: (state, teamId, userId, role) => state.setTeamMembership(teamId, userId, role),
  unlink: (state, teamId, userId) => state.removeTeamMembership(teamId, userId),
  item: userItem,
  addRole: (ctx) => (ctx.body.role === undefined ? 'Team Member' : roleField(ctx, 'role', 'TEAM')),
  role: (ctx) => roleField(ctx, 'role', 'TEAM'),
  listFilter: (ctx) => {
    const active = booleanFilter(ctx.query, 'active');
    if (active === undefined) return undefined;
    return (userId) => ctx.state.users.get(userId)?.active === active;
  },
  updateEchoes: true,
  messages: {
    notMember: (teamId, userId) => `User with id '${userId}' is not a member of team '${teamId}'`,
    alreadyMember: (teamId, userId) => `User with id '${userId}' is already a member of team '${teamId}'`,
    listed: 'Team users retrieved successfully',
    added: 'User has been added to the team',
    read: 'Team user details retrieved successfully',
    updated: 'User role has been updated',
    removed: 'User has been removed from the team',
  },
});

const teamGroups = membershipRoutes({
  path: '/teams/:teamId/groups/:groupId',
  memberField: 'id',
  findOwner: findTeam,
  findMember: findGroup,
  edges: (state) => state.teamGroups,
  link: (state, teamId, groupId, role) => state.setTeamGroup(teamId, groupId, role),
  unlink: (state, teamId, groupId) => state.removeTeamGroup(teamId, groupId),
  item: groupItem,
  role: (ctx) => roleField(ctx, 'role', 'DESTINATION'),
  messages: {
    notMember: (teamId, groupId) => `Team '${teamId}' has no membership in group '${groupId}'`,
    alreadyMember: (teamId, groupId) => `Team '${teamId}' already has a membership in group '${groupId}'`,
    listed: 'Team group memberships retrieved successfully',
    added: 'Group membership has been created',
    read: 'Team group membership retrieved successfully',
    updated: 'Group membership has been updated',
    removed: 'Group membership has been deleted',
  },
});

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
  ...teamUsers,
  ...teamGroups,
];
