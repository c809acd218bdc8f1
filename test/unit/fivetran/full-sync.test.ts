import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { C1zReader } from '../../../src/c1z/index.js';
import { generateDataset, startFakeFivetran, type FakeFivetran } from '../../fakes/fivetran/index.js';
import { logSink, syncToC1z } from './support.js';

/**
 * The grant set a sync must produce, computed straight from the fake's state with the rules of
 * fivetran-model.md, independently of the connector code: direct grants, then team grants expanded to members.
 */
function expectedGrantIds(fake: FakeFivetran, o: { userConnections: boolean }): Set<string> {
  const s = fake.state;
  const current = (name: string | null | undefined, scope: string): string | undefined => {
    if (!name) return undefined;
    const role = s.roles.find((r) => r.name === name);
    const resolved = role?.is_deprecated ? s.roles.find((r) => r.name === role.replacement_role_name) : role;
    return resolved && !resolved.is_deprecated && resolved.scope.includes(scope as never)
      ? resolved.name
      : undefined;
  };
  const ids = new Set<string>();
  const teamGrants: [string, string][] = []; // [entitlement id, team id]
  for (const u of s.users.values()) {
    const r = current(u.role, 'ACCOUNT');
    if (r) ids.add(`role:${r}:assigned:user:${u.id}`);
  }
  for (const t of s.teams.values()) {
    const r = current(t.role, 'ACCOUNT');
    if (r) teamGrants.push([`role:${r}:assigned`, t.id]);
  }
  for (const [groupId, members] of s.groupUsers) {
    for (const [userId, m] of members) {
      const r = current(m.role, 'DESTINATION');
      if (r) ids.add(`group:${groupId}:${r}:user:${userId}`);
    }
  }
  for (const [teamId, groups] of s.teamGroups) {
    for (const [groupId, m] of groups) {
      const r = current(m.role, 'DESTINATION');
      if (r) teamGrants.push([`group:${groupId}:${r}`, teamId]);
    }
  }
  for (const [teamId, members] of s.teamUsers) {
    for (const [userId, m] of members) {
      ids.add(`team:${teamId}:member:user:${userId}`);
      if (m.role === 'Team Manager') ids.add(`team:${teamId}:manager:user:${userId}`);
    }
  }
  if (o.userConnections) {
    for (const [userId, connections] of s.userConnections) {
      for (const [connectionId, m] of connections) {
        const r = current(m.role, 'CONNECTOR');
        if (r) ids.add(`connection:${connectionId}:${r}:user:${userId}`);
      }
    }
  }
  for (const [teamId, connections] of s.teamConnections) {
    for (const [connectionId, m] of connections) {
      const r = current(m.role, 'CONNECTOR');
      if (r) teamGrants.push([`connection:${connectionId}:${r}`, teamId]);
    }
  }
  for (const [entitlementId, teamId] of teamGrants) {
    ids.add(`${entitlementId}:team:${teamId}`);
    for (const userId of s.teamUsers.get(teamId)?.keys() ?? []) ids.add(`${entitlementId}:user:${userId}`);
  }
  return ids;
}

describe('a full Fivetran sync into a c1z', () => {
  let fake: FakeFivetran;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeFivetran({
      dataset: generateDataset({ seed: 11, users: 150, groups: 8, teams: 6, connections: 20, systemKeys: 3 }),
    });
    dir = mkdtempSync(join(tmpdir(), 'ft-sync-'));
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('produces exactly the grants computed independently from the fake account, expanded through teams', async () => {
    fake.reset();
    const { log } = logSink();
    const path = join(dir, 'sync.c1z');
    const summary = await syncToC1z(fake, path, {
      log,
      connector: { connectionUserScan: { mode: 'auto', userLimit: 2000 } },
    });

    const reader = await C1zReader.open(path);
    try {
      const grantIds = [...reader.grants()].map((g) => g.grant.id);
      const expected = expectedGrantIds(fake, { userConnections: true });
      expect(new Set(grantIds).size).toBe(grantIds.length);
      expect([...grantIds].sort()).toEqual([...expected].sort());
      expect(summary.expandedGrants).toBeGreaterThan(0);

      const counts = Object.fromEntries(
        reader.resourceTypes().map((rt) => [rt.id, [...reader.resources({ resourceTypeId: rt.id })].length]),
      );
      const accountRoles = fake.state.roles.filter(
        (r) => r.scope.includes('ACCOUNT' as never) && !r.is_deprecated,
      );
      expect(counts).toEqual({
        user: fake.state.users.size,
        group: fake.state.groups.size,
        team: fake.state.teams.size,
        role: accountRoles.length,
        connection: fake.state.connections.size,
        system_key: fake.state.systemKeys.size,
      });
      expect([...grantIds].some((id) => /^connection:[^:]+:[^:]+:user:/.test(id))).toBe(true);
    } finally {
      reader.close();
    }
    // One request per page, plus one per team and group and, for connections, one per user.
    const users = fake.state.users.size;
    const expectedMax = 12 + 3 * fake.state.teams.size + fake.state.groups.size + users + 6;
    expect(fake.requests.length).toBeLessThanOrEqual(expectedMax);
    expect(fake.requestCount({ method: 'GET', pathPrefix: '/v1/users/' })).toBe(users);
  });

  it('above --connection-user-scan-limit skips the per-user scan, logs its cost and keeps team grants', async () => {
    fake.reset();
    const sink = logSink();
    const path = join(dir, 'limited.c1z');
    await syncToC1z(fake, path, {
      log: sink.log,
      connector: { connectionUserScan: { mode: 'auto', userLimit: 149 } },
    });
    const reader = await C1zReader.open(path);
    try {
      const grantIds = [...reader.grants()].map((g) => g.grant.id).sort();
      expect(grantIds).toEqual([...expectedGrantIds(fake, { userConnections: false })].sort());
    } finally {
      reader.close();
    }
    // Not one /v1/users/<u>/connections call; the skip is logged once with what it would cost (150 + 1 page).
    expect(fake.requestCount({ method: 'GET', pathPrefix: '/v1/users/' })).toBe(0);
    const skipped = sink.lines.filter((l) => String(l.msg).startsWith('per-user connection scan skipped'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ level: 40, users: 150, userLimit: 149, wouldCostRequests: 151 });
  });

  it('an account without connections costs two listing requests more than before, nothing per team or user', async () => {
    const plain = await startFakeFivetran({
      dataset: generateDataset({ seed: 11, users: 150, groups: 8, teams: 6 }),
    });
    try {
      await syncToC1z(plain, join(dir, 'plain.c1z'), { log: logSink().log });
      const paths = plain.requests.map((r) => r.path);
      expect(paths.filter((p) => p.includes('connections'))).toEqual(['/v1/connections']);
      expect(paths.filter((p) => p === '/v1/system-keys')).toHaveLength(1);
      // Before connections: account info, roles, users ×2, groups, teams ×2, one per group, two per team.
      expect(paths).toHaveLength(7 + 8 + 2 * 6 + 2);
    } finally {
      await plain.close();
    }
  });
});
