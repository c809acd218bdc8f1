import type { FakeConnection } from './connection-entities.js';
import type { FakeMembership } from './entities.js';
import { connectionEdges, removeConnectionMembership, setConnectionMembership } from './fake-state.js';
import type { FakeState } from './fake-state.js';
import { invalidInput, notFound, ok, paginate, requiredString } from './http-reply.js';
import { membershipRoutes } from './membership-routes.js';
import type { Route, RouteContext } from './route.js';
import { findTeam } from './team-routes.js';
import { findUser } from './user-routes.js';

// Connections and user/team connection memberships (fivetran-api.md §3.4, §3.7; official OpenAPI for the
// connection object). Memberships are `{id, role, created_at}` rows like group memberships.

function findConnection(state: FakeState, connectionId: string): FakeConnection {
  const connection = state.connections.get(connectionId);
  if (!connection) throw notFound('Connection', connectionId);
  return connection;
}

/** A required role name that exists in the catalogue with scope `CONNECTOR`, else 400 InvalidInput. */
function connectionRoleField(ctx: RouteContext): string {
  const role = requiredString(ctx.body, 'role');
  if (!ctx.state.roleHasScope(role, 'CONNECTOR')) throw invalidInput(`Invalid connection role '${role}'`);
  return role;
}

const item = (connectionId: string, m: FakeMembership) => ({
  id: connectionId,
  role: m.role,
  created_at: m.created_at,
});

const connectionMemberships = (owner: 'user' | 'team', label: 'User' | 'Team') =>
  membershipRoutes({
    path:
      owner === 'user'
        ? '/users/:userId/connections/:connectionId'
        : '/teams/:teamId/connections/:connectionId',
    memberField: 'id',
    findOwner: owner === 'user' ? findUser : findTeam,
    findMember: findConnection,
    edges: (state) => connectionEdges(state, owner),
    link: (state, ownerId, connectionId, role) =>
      setConnectionMembership(state, owner, ownerId, connectionId, role),
    unlink: (state, ownerId, connectionId) => removeConnectionMembership(state, owner, ownerId, connectionId),
    item,
    role: connectionRoleField,
    updateEchoes: true,
    messages: {
      notMember: (ownerId, connectionId) =>
        `${label} with id '${ownerId}' has no membership in connection '${connectionId}'`,
      alreadyMember: (ownerId, connectionId) =>
        `${label} with id '${ownerId}' already has a membership in connection '${connectionId}'`,
      listed:
        owner === 'user'
          ? 'User memberships in connections retrieved successfully'
          : 'Team connection memberships retrieved successfully',
      added: 'Connection membership has been created',
      read:
        owner === 'user'
          ? 'User membership in connection retrieved successfully'
          : 'Team connection membership retrieved successfully',
      updated: 'Connection membership has been updated',
      removed: 'Connection membership has been deleted',
    },
  });

function listConnections(ctx: RouteContext) {
  const groupId = ctx.query.group_id;
  let all = [...ctx.state.connections.values()];
  if (groupId !== undefined) all = all.filter((c) => c.group_id === groupId);
  return ok('Connections list retrieved successfully', paginate(all, ctx.query, ctx.pageStyle));
}

export const connectionRoutes: Route[] = [
  { method: 'GET', path: '/connections', handle: listConnections },
  {
    method: 'GET',
    path: '/connections/:connectionId',
    handle: (ctx) =>
      ok('Connection details retrieved successfully', findConnection(ctx.state, ctx.params.connectionId!)),
  },
  ...connectionMemberships('user', 'User'),
  ...connectionMemberships('team', 'Team'),
];
