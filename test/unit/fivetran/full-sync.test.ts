import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { C1zReader, C1zWriter } from '../../../src/c1z/index.js';
import { ConnectorRegistry } from '../../../src/connector/index.js';
import { createFivetranConnector } from '../../../src/fivetran/index.js';
import { runSync } from '../../../src/sync/index.js';
import { generateDataset, startFakeFivetran, type FakeFivetran } from '../../fakes/fivetran/index.js';
import { logSink } from './support.js';

/**
 * The grant set a sync must produce, computed straight from the fake's state with the rules of
 * fivetran-model.md, independently of the connector code: direct grants, then team grants expanded to members.
 */
function expectedGrantIds(fake: FakeFivetran): Set<string> {
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
      dataset: generateDataset({ seed: 11, users: 150, groups: 8, teams: 6 }),
    });
    dir = mkdtempSync(join(tmpdir(), 'ft-sync-'));
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('produces exactly the grants computed independently from the fake account, expanded through teams', async () => {
    const { log } = logSink();
    const registry = new ConnectorRegistry(
      createFivetranConnector({
        baseUrl: fake.baseUrl,
        apiKey: fake.keys.admin.key,
        apiSecret: fake.keys.admin.secret,
        timeoutMs: 5000,
        concurrency: 4,
        log,
        version: 'test',
      }),
    );
    const path = join(dir, 'sync.c1z');
    const writer = C1zWriter.create({ path });
    const summary = await runSync({ registry, store: writer, signal: AbortSignal.timeout(20_000), log });
    await writer.finish();

    const reader = await C1zReader.open(path);
    try {
      const grantIds = [...reader.grants()].map((g) => g.grant.id);
      const expected = expectedGrantIds(fake);
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
      });
    } finally {
      reader.close();
    }
    // One request per page: the sync stays well within Fivetran's hourly budget.
    const expectedMax = 10 + 2 * fake.state.teams.size + fake.state.groups.size + 6;
    expect(fake.requests.length).toBeLessThanOrEqual(expectedMax);
  });
});
