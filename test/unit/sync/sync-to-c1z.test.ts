import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorRegistry, resourceId } from '../../../src/connector/index.js';
import { C1zReader, C1zWriter } from '../../../src/c1z/index.js';
import { runSync } from '../../../src/sync/index.js';
import { FakeConnector } from '../../fakes/connector.js';
import { logSink } from './sync-harness.js';

describe('sync into a real c1z', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sync-c1z-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a finished full sync whose rows, expansion and stats read back as synced', async () => {
    const fake = new FakeConnector()
      .addUser('u1', { givenName: 'Ada', familyName: 'Lovelace' })
      .addUser('u2')
      .addTeam('t1', { name: 'Data' })
      .addGroup('g1')
      .addRole('Account Reviewer')
      .addRole('Destination Admin', { scopes: ['DESTINATION'] })
      .addTeamMember('t1', 'u1')
      .addTeamMember('t1', 'u2', { isManager: true })
      .addGroupMember('g1', resourceId('team', 't1'), 'Destination Admin')
      .assignRole('Account Reviewer', resourceId('user', 'u1'));
    const path = join(dir, 'sync.c1z');
    const writer = C1zWriter.create({ path });
    const { log } = logSink();
    const summary = await runSync({
      registry: new ConnectorRegistry(fake),
      store: writer,
      log,
      signal: new AbortController().signal,
      options: { pageSize: 1 },
    });
    await writer.finish();

    const reader = await C1zReader.open(path, { tempDir: dir });
    try {
      const run = reader.latestFinishedSync()!;
      expect(run).toMatchObject({ syncId: summary.syncId, syncType: 'full', supportsDiff: true });
      expect(reader.resourceTypes().map((t) => t.id)).toEqual(['user', 'group', 'team', 'role']);
      // Types are listed side by side, so rows of different types interleave.
      expect([...reader.resources()].map((r) => `${r.id.resourceType}:${r.id.resource}`).sort()).toEqual([
        'group:g1',
        'role:Account Reviewer',
        'team:t1',
        'user:u1',
        'user:u2',
      ]);
      const grants = [...reader.grants()];
      expect(grants.map((g) => g.grant.id).sort()).toEqual([
        'group:g1:Destination Admin:team:t1',
        'group:g1:Destination Admin:user:u1',
        'group:g1:Destination Admin:user:u2',
        'role:Account Reviewer:assigned:user:u1',
        'team:t1:manager:user:u2',
        'team:t1:member:user:u1',
        'team:t1:member:user:u2',
      ]);
      const teamGrant = grants.find((g) => g.grant.id === 'group:g1:Destination Admin:team:t1')!;
      expect(teamGrant.expansion).toEqual({ entitlementIds: ['team:t1:member'] });
      const derived = grants.find((g) => g.grant.id === 'group:g1:Destination Admin:user:u1')!.grant;
      expect(derived.sources?.sources).toEqual({ 'team:t1:member': {} });
      expect(derived.principal.displayName).toBe('Ada Lovelace');
      // The derived grant carries the whole stored entitlement, not just its ids.
      const target = [...reader.entitlements()].find((e) => e.id === 'group:g1:Destination Admin')!;
      expect(target.displayName).toBeTruthy();
      expect(derived.entitlement).toEqual(target);
      const stats = reader.stats();
      expect(stats).toMatchObject({
        resources: summary.totals.resources,
        entitlements: summary.totals.entitlements,
        grants: summary.totals.grants,
      });
    } finally {
      await reader.close();
    }
  });
});
