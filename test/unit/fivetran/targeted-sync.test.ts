import { ConnectorRegistry, resourceId, type Connector } from '../../../src/connector/index.js';
import { runSync } from '../../../src/sync/index.js';
import { generateDataset, type FakeFivetran } from '../../fakes/fivetran/index.js';
import { setConnectionMembership } from '../../fakes/fivetran/fake-state.js';
import { MemorySyncStore } from '../../fakes/memory-store.js';
import { connectorFor, logSink, useFakeFivetran } from './support.js';

/** A targeted sync of one resource against the fake Fivetran; the requests it made, as `METHOD path`. */
async function targeted(fake: FakeFivetran, connector: Connector, type: string, id: string) {
  fake.reset();
  const store = new MemorySyncStore();
  const { log, lines } = logSink();
  const summary = await runSync({
    registry: new ConnectorRegistry(connector),
    store,
    log,
    signal: AbortSignal.timeout(10_000),
    options: { targetedResources: [{ id: resourceId(type, id) }] },
  });
  const requests = fake.requests.map((r) => `${r.method} ${r.path}`).sort();
  return { store, summary, requests, lines };
}

/** A targeted team sync's own requests: the lookups, the team and its three grant listings. */
const teamRequests = (teamId: string) => [
  'GET /v1/account/info',
  'GET /v1/roles',
  `GET /v1/teams/${teamId}`,
  `GET /v1/teams/${teamId}/users`,
  `GET /v1/teams/${teamId}/groups`,
  `GET /v1/teams/${teamId}/connections`,
];

/** A targeted connection sync's requests before its user walk: the connection, its group, every team's roles. */
const connectionRequests = (connectionId: string, groupId: string, teams: readonly string[]) => [
  'GET /v1/account/info',
  'GET /v1/roles',
  `GET /v1/connections/${connectionId}`,
  `GET /v1/groups/${groupId}`,
  'GET /v1/teams',
  ...teams.map((t) => `GET /v1/teams/${t}/connections`),
];

const keys = (items: readonly { id: { resourceType: string; resource: string } }[]) =>
  items.map((r) => `${r.id.resourceType}:${r.id.resource}`).sort();

describe('targeted Fivetran syncs', () => {
  let fake: FakeFivetran;
  useFakeFivetran((f) => (fake = f), {
    dataset: generateDataset({ seed: 5, users: 1500, groups: 8, teams: 6, teamGroupsPerTeam: 2 }),
  });

  it('sync one user with 3 requests, where a full sync of the same account makes over 20', async () => {
    const { connector } = connectorFor(fake);
    const userId = [...fake.state.users.keys()][7]!;
    const { store, summary, requests } = await targeted(fake, connector, 'user', userId);
    expect(requests).toEqual(['GET /v1/account/info', 'GET /v1/roles', `GET /v1/users/${userId}`]);
    expect(summary.syncType).toBe('partial');
    expect(keys(store.resources())).toEqual([`user:${userId}`]);
    expect(store.resources()[0]!.displayName).toBeTruthy();
    expect(store.grantIds()).toEqual([]);

    // The same account synced whole, for scale: a fallback to a full sync could not pass the pin above.
    fake.reset();
    const { log } = logSink();
    await runSync({
      registry: new ConnectorRegistry(connector),
      store: new MemorySyncStore(),
      log,
      signal: AbortSignal.timeout(20_000),
    });
    expect(fake.requests.length).toBeGreaterThan(20);
  });

  it('sync one team with its members, its group roles and those groups, one request per listing', async () => {
    const { connector } = connectorFor(fake);
    const [teamId, groups] = [...fake.state.teamGroups].find(([, g]) => g.size >= 2)!;
    const members = fake.state.teamUsers.get(teamId) ?? new Map();
    const { store, requests } = await targeted(fake, connector, 'team', teamId);
    const groupIds = [...groups.keys()];
    expect(requests).toEqual([...teamRequests(teamId), ...groupIds.map((g) => `GET /v1/groups/${g}`)].sort());
    expect(requests.length).toBe(6 + groupIds.length);
    expect(keys(store.resources())).toEqual([`team:${teamId}`, ...groupIds.map((g) => `group:${g}`)].sort());
    expect(store.entitlements().map((e) => e.id)).toEqual([
      `team:${teamId}:member`,
      `team:${teamId}:manager`,
    ]);
    const memberGrants = store.grantIds().filter((id) => id.startsWith(`team:${teamId}:member:`));
    expect(memberGrants).toEqual([...members.keys()].map((u) => `team:${teamId}:member:user:${u}`).sort());
    const groupGrants = store.grantIds().filter((id) => id.startsWith('group:'));
    expect(groupGrants).toHaveLength(groupIds.length);
    for (const g of groupGrants) expect(g.endsWith(`:team:${teamId}`)).toBe(true);
  });

  it('sync one group with its direct user roles', async () => {
    const { connector } = connectorFor(fake);
    const [groupId, users] = [...fake.state.groupUsers].find(([, u]) => u.size >= 2)!;
    const { store, requests } = await targeted(fake, connector, 'group', groupId);
    expect(requests).toEqual(
      [
        'GET /v1/account/info',
        'GET /v1/roles',
        `GET /v1/groups/${groupId}`,
        `GET /v1/groups/${groupId}/users`,
      ].sort(),
    );
    expect(keys(store.resources())).toEqual([`group:${groupId}`]);
    const principals = store.grants().map((g) => g.grant.principal.id.resource);
    expect(new Set(principals)).toEqual(new Set([...users.keys()]));
    expect(store.entitlements().length).toBeGreaterThan(0);
  });

  it('sync one account role by name from the role catalogue; its grants walk users and teams', async () => {
    const { connector } = connectorFor(fake);
    const role = 'Account Reviewer';
    const { store, requests } = await targeted(fake, connector, 'role', role);
    expect(keys(store.resources())).toEqual([`role:${role}`]);
    // 1,500 users are two pages of 1,000.
    expect(requests).toEqual(
      ['GET /v1/account/info', 'GET /v1/roles', 'GET /v1/users', 'GET /v1/users', 'GET /v1/teams'].sort(),
    );
    const holders = [...fake.state.users.values()].filter((u) => u.role === role).map((u) => u.id);
    const userGrants = store.grantIds().filter((id) => id.includes(':user:'));
    expect(userGrants).toEqual(holders.map((u) => `role:${role}:assigned:user:${u}`).sort());
  });

  it('skip a user, team, group or role that does not exist (404 NotFound_*), as the SDK does', async () => {
    const { connector } = connectorFor(fake);
    for (const [type, path] of [
      ['user', '/v1/users/nope'],
      ['team', '/v1/teams/nope'],
      ['group', '/v1/groups/nope'],
    ] as const) {
      const { store, summary, requests, lines } = await targeted(fake, connector, type, 'nope');
      expect(summary.syncType).toBe('partial');
      expect(store.isEnded).toBe(true);
      expect(store.resources()).toEqual([]);
      expect(fake.requests.find((r) => r.path === path)?.status).toBe(404);
      expect(requests.filter((r) => r.includes('nope'))).toEqual([`GET ${path}`]);
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: 'skipping targeted resource: not found', resourceId: `${type}:nope` }),
      );
    }
    const { store } = await targeted(fake, connector, 'role', 'No Such Role');
    expect(store.resources()).toEqual([]);
  });
});

describe('targeted Fivetran syncs of connections', () => {
  let fake: FakeFivetran;
  useFakeFivetran((f) => (fake = f), {
    dataset: generateDataset({ seed: 5, users: 30, groups: 4, teams: 3, connections: 12 }),
  });

  const REPLACED: Record<string, string> = {
    'Connector Administrator': 'Manage Connection',
    'Connector Reviewer': 'View Connection',
  };
  /** The grant ids the fake's memberships on connection `c` should give, by owner kind. */
  const expectedGrants = (owner: 'user' | 'team', c: string) => {
    const edges = owner === 'user' ? fake.state.userConnections : fake.state.teamConnections;
    const ids: string[] = [];
    for (const [holder, ms] of edges) {
      const m = ms.get(c);
      if (m) ids.push(`connection:${c}:${REPLACED[m.role] ?? m.role}:${owner}:${holder}`);
    }
    return ids.sort();
  };
  /** A connection with at least one team role and one user role on it (made so if the dataset has none). */
  const connectionHeldByTeamAndUser = (): string => {
    const c = [...fake.state.connections.keys()][2]!;
    const has = (edges: Map<string, Map<string, unknown>>) => [...edges.values()].some((ms) => ms.has(c));
    if (!has(fake.state.teamConnections)) {
      setConnectionMembership(fake.state, 'team', [...fake.state.teams.keys()][0]!, c, 'View Connection');
    }
    if (!has(fake.state.userConnections)) {
      setConnectionMembership(fake.state, 'user', [...fake.state.users.keys()][0]!, c, 'Edit Connection');
    }
    return c;
  };

  it('sync one connection: the resource as listed, its roles, its team and user grants', async () => {
    const { connector } = connectorFor(fake);
    const c = connectionHeldByTeamAndUser();
    const connection = fake.state.connections.get(c)!;
    const { store, summary, requests } = await targeted(fake, connector, 'connection', c);
    expect(summary.syncType).toBe('partial');
    const teams = [...fake.state.teams.keys()];
    const users = [...fake.state.users.keys()];
    expect(teams).toHaveLength(3);
    expect(users.length).toBeGreaterThanOrEqual(30);
    // The connection and its group's name; /v1/teams and each team's roles; /v1/users counted (up to the
    // scan limit), then walked with each user's roles.
    expect(requests).toEqual(
      [
        ...connectionRequests(c, connection.group_id, teams),
        'GET /v1/users',
        'GET /v1/users',
        ...users.map((u) => `GET /v1/users/${u}/connections`),
      ].sort(),
    );
    // 4 lookups, 1 + 3 for the teams, 2 user pages, then one request per user.
    expect(requests).toHaveLength(10 + users.length);

    // Built as the listing builds it.
    expect(keys(store.resources())).toEqual([`connection:${c}`]);
    const listed = await new ConnectorRegistry(connector).syncer('connection').list(undefined, {
      pageSize: 0,
      signal: AbortSignal.timeout(10_000),
    });
    const group = fake.state.groups.get(connection.group_id)!;
    expect(store.resources()[0]).toEqual(listed.items.find((r) => r.id.resource === c));
    expect(store.resources()[0]).toMatchObject({
      parentResourceId: { resourceType: 'group', resource: connection.group_id },
      displayName: connection.schema,
      description: `${connection.service} in ${group.name}`,
    });

    expect(
      store
        .entitlements()
        .map((e) => e.id)
        .sort(),
    ).toEqual(['Edit Connection', 'Manage Connection', 'View Connection'].map((r) => `connection:${c}:${r}`));
    const teamGrants = expectedGrants('team', c);
    const userGrants = expectedGrants('user', c);
    expect(teamGrants.length).toBeGreaterThan(0);
    expect(userGrants.length).toBeGreaterThan(0);
    expect(store.grantIds()).toEqual([...teamGrants, ...userGrants].sort());
    for (const { grant, expansion } of store.grants()) {
      const p = grant.principal.id;
      expect(expansion).toEqual(
        p.resourceType === 'team' ? { entitlementIds: [`team:${p.resource}:member`] } : undefined,
      );
    }
  });

  it("keeps the teams' roles when the per-user scan is skipped (more users than the limit)", async () => {
    const { connector, sink } = connectorFor(fake, 'admin', {
      connectionUserScan: { mode: 'auto', userLimit: 10 },
    });
    const c = connectionHeldByTeamAndUser();
    const group = fake.state.connections.get(c)!.group_id;
    const { store, requests } = await targeted(fake, connector, 'connection', c);
    const teams = [...fake.state.teams.keys()];
    // No caller-side user count in a targeted sync: the syncer counts /v1/users itself, one page here.
    expect(requests).toEqual([...connectionRequests(c, group, teams), 'GET /v1/users'].sort());
    expect(store.grantIds()).toEqual(expectedGrants('team', c));
    expect(sink.lines).toContainEqual(
      expect.objectContaining({ level: 40, userLimit: 10, msg: expect.stringContaining('scan skipped') }),
    );
  });

  it('skip a connection that does not exist (404 NotFound_Connection), without looking up a group', async () => {
    const { connector } = connectorFor(fake);
    const { store, summary, requests, lines } = await targeted(fake, connector, 'connection', 'nope');
    expect(summary.syncType).toBe('partial');
    expect(store.resources()).toEqual([]);
    expect(store.grantIds()).toEqual([]);
    expect(requests).toEqual(['GET /v1/account/info', 'GET /v1/connections/nope']);
    const reply = fake.requests.find((r) => r.path === '/v1/connections/nope');
    expect(reply?.status).toBe(404);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'skipping targeted resource: not found',
        resourceId: 'connection:nope',
      }),
    );
  });

  it('sync one team: the connections it holds roles on are fetched (connection and group name each)', async () => {
    const { connector } = connectorFor(fake);
    const [teamId, held] = [...fake.state.teamConnections].find(([, cs]) => cs.size > 0)!;
    const groups = [...(fake.state.teamGroups.get(teamId)?.keys() ?? [])];
    const connections = [...held.keys()];
    const { store, requests } = await targeted(fake, connector, 'team', teamId);
    expect(requests).toEqual(
      [
        ...teamRequests(teamId),
        ...groups.map((g) => `GET /v1/groups/${g}`),
        ...connections.map((c) => `GET /v1/connections/${c}`),
        ...connections.map((c) => `GET /v1/groups/${fake.state.connections.get(c)!.group_id}`),
      ].sort(),
    );
    expect(keys(store.resources())).toEqual(
      [
        `team:${teamId}`,
        ...groups.map((g) => `group:${g}`),
        ...connections.map((c) => `connection:${c}`),
      ].sort(),
    );
    const connectionGrants = store.grantIds().filter((g) => g.startsWith('connection:'));
    expect(connectionGrants).toEqual(
      connections
        .flatMap((c) => expectedGrants('team', c).filter((g) => g.endsWith(`:team:${teamId}`)))
        .sort(),
    );
    for (const c of connections) {
      const r = store.resources().find((x) => x.id.resource === c)!;
      const g = fake.state.groups.get(fake.state.connections.get(c)!.group_id)!;
      expect(r.description).toBe(`${fake.state.connections.get(c)!.service} in ${g.name}`);
    }
  });
});
