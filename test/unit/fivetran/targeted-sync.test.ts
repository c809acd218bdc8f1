import { ConnectorRegistry, resourceId, type Connector } from '../../../src/connector/index.js';
import { runSync } from '../../../src/sync/index.js';
import { generateDataset, type FakeFivetran } from '../../fakes/fivetran/index.js';
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
    expect(requests).toEqual(
      [
        'GET /v1/account/info',
        'GET /v1/roles',
        `GET /v1/teams/${teamId}`,
        `GET /v1/teams/${teamId}/users`,
        `GET /v1/teams/${teamId}/groups`,
        `GET /v1/teams/${teamId}/connections`,
        ...groupIds.map((g) => `GET /v1/groups/${g}`),
      ].sort(),
    );
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
