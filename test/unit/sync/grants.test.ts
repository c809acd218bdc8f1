import {
  annotations,
  hasAnnotation,
  resourceId,
  type Grant,
  type Resource,
} from '../../../src/connector/index.js';
import { FakeConnector } from '../../fakes/connector.js';
import { LEVEL, syncInto } from './sync-harness.js';

/** Team grant pages carry InsertResourceGrants and one more grant to user u1: `entitlementId` on `resource`. */
function insertOnTeamGrantPages(fake: FakeConnector, resource: Resource, entitlementId: string): void {
  fake.intercept('grants', 'team', (p) => ({
    ...p,
    annotations: [annotations.insertResourceGrants()],
    items: [
      ...p.items,
      {
        id: `${entitlementId}:user:u1`,
        entitlement: { id: entitlementId, resource },
        principal: { id: resourceId('user', 'u1') },
      },
    ],
  }));
}

describe('grant listing', () => {
  it('drops grants to principals the sync did not see, with a debug line each and one warn summary', async () => {
    const fake = new FakeConnector()
      .addUser('u1')
      .addTeam('t1')
      .addTeamMember('t1', 'u1')
      .addTeamMember('t1', 'ghost1')
      .addTeamMember('t1', 'ghost2', { isManager: true });
    const { store, summary, lines } = await syncInto(fake);
    expect(store.grantIds()).toEqual(['team:t1:member:user:u1']);
    expect(summary.dropped.grantsWithUnknownPrincipal).toBe(3);
    const perGrant = lines.filter((l) => l.msg === 'dropped a grant whose principal was not synced');
    expect(perGrant.map((l) => [l.level, l.grantId])).toEqual([
      [LEVEL.debug, 'team:t1:member:user:ghost1'],
      [LEVEL.debug, 'team:t1:member:user:ghost2'],
      [LEVEL.debug, 'team:t1:manager:user:ghost2'],
    ]);
    const warns = lines.filter((l) => l.level === LEVEL.warn);
    expect(warns).toEqual([expect.objectContaining({ unknownPrincipal: 3, unknownResource: 0, invalid: 0 })]);
  });

  it('drops grants to a user who joined after the user listing instead of inventing the user', async () => {
    const fake = new FakeConnector().addUser('u1').addTeam('t1').addTeamMember('t1', 'u1');
    fake.onCall((call) => {
      if (call.method === 'grants') fake.addUser('late').addTeamMember('t1', 'late');
    });
    const { store, summary } = await syncInto(fake);
    expect(store.resources('user').map((r) => r.id.resource)).toEqual(['u1']);
    expect(store.grantIds()).toEqual(['team:t1:member:user:u1']);
    expect(summary.dropped.grantsWithUnknownPrincipal).toBe(1);
  });

  it('drops grants whose entitlement resource is not in the store, and grants with empty ids', async () => {
    const fake = new FakeConnector().addUser('u1').addTeam('t1').addTeamMember('t1', 'u1');
    fake.intercept('grants', 'team', (p) => {
      const [g] = p.items as Grant[];
      const elsewhere: Resource = { id: resourceId('team', 'unsynced') };
      return {
        ...p,
        items: [
          ...p.items,
          {
            ...g!,
            id: 'team:unsynced:member:user:u1',
            entitlement: { id: 'team:unsynced:member', resource: elsewhere },
          },
          { ...g!, id: '' },
          { ...g!, id: 'x', principal: { id: resourceId('user', '') } },
        ],
      };
    });
    const { store, summary } = await syncInto(fake);
    expect(store.grantIds()).toEqual(['team:t1:member:user:u1']);
    expect(summary.dropped).toMatchObject({ grantsWithUnknownResource: 1, invalidGrants: 2 });
  });

  it('stores entitlement resources and tags grants when a page carries InsertResourceGrants', async () => {
    const fake = new FakeConnector().addUser('u1').addTeam('t1').addTeamMember('t1', 'u1');
    const vault: Resource = { id: resourceId('vault', 'v1'), displayName: 'Vault' };
    insertOnTeamGrantPages(fake, vault, 'vault:v1:reader');
    const { store, summary } = await syncInto(fake);
    expect(store.resources('vault')).toEqual([vault]);
    expect(store.grantIds()).toEqual(['team:t1:member:user:u1', 'vault:v1:reader:user:u1']);
    for (const { grant } of store.grants()) {
      expect(hasAnnotation(grant.annotations, 'InsertResourceGrants')).toBe(true);
    }
    expect(summary.byResourceType['vault']).toEqual({ resources: 1, entitlements: 0, grants: 1 });
  });

  it('stores an entitlement resource named by several grants of an InsertResourceGrants page once', async () => {
    const fake = new FakeConnector().addUser('u1').addUser('u2').addTeam('t1');
    const vault: Resource = { id: resourceId('vault', 'v1'), displayName: 'Vault' };
    fake.intercept('grants', 'team', (p) => ({
      ...p,
      annotations: [annotations.insertResourceGrants()],
      items: ['u1', 'u2'].map((u) => ({
        id: `vault:v1:reader:user:${u}`,
        entitlement: { id: 'vault:v1:reader', resource: vault },
        principal: { id: resourceId('user', u) },
      })),
    }));
    const { store, summary } = await syncInto(fake);
    expect(store.resources('vault')).toEqual([vault]);
    expect(summary.byResourceType['vault']).toEqual({ resources: 1, entitlements: 0, grants: 2 });
  });

  it('gives later grants the resource an InsertResourceGrants page stored again, not a copy read before', async () => {
    const fake = new FakeConnector()
      .addUser('u1')
      .addTeam('t1')
      .addTeam('t2')
      .addTeamMember('t1', 'u1')
      .addTeamMember('t2', 'u1');
    const renamed: Resource = { id: resourceId('user', 'u1'), displayName: 'U1 renamed' };
    // t1's page reads user u1 first; t2's page stores u1 again, then names it as a principal.
    fake.intercept('grants', 'team', (p, call) =>
      call.resourceId === 'team:t2'
        ? {
            ...p,
            annotations: [annotations.insertResourceGrants()],
            items: [
              {
                id: 'user:u1:self:user:u1',
                entitlement: { id: 'user:u1:self', resource: renamed },
                principal: renamed,
              },
              ...p.items,
            ],
          }
        : p,
    );
    const { store } = await syncInto(fake, { concurrency: 1 });
    expect(store.getResource(resourceId('user', 'u1'))).toEqual(renamed);
    expect(store.getGrant('team:t1:member:user:u1')?.grant.principal.displayName).not.toBe('U1 renamed');
    expect(store.getGrant('team:t2:member:user:u1')?.grant.principal).toEqual(renamed);
  });

  it('lists entitlements of the resources stored before grant listings began, not of those a grant page inserts', async () => {
    const fake = new FakeConnector().addUser('u1').addTeam('t1').addTeam('t2').addTeamMember('t1', 'u1');
    const inserted: Resource = { id: resourceId('team', 't9'), displayName: 'Inserted team' };
    insertOnTeamGrantPages(fake, inserted, 'team:t9:member');
    // One resource per store page, so the entitlement listing reads the store again after each resource.
    const { store } = await syncInto(fake, { concurrency: 1, options: { pageSize: 1 } });
    expect(store.resources('team').map((r) => r.id.resource)).toEqual(['t1', 't2', 't9']);
    const calls = fake.calls.map((c) => `${c.method} ${c.resourceId ?? ''}`.trim());
    expect([...new Set(calls.filter((c) => c.startsWith('entitlements')))].sort()).toEqual([
      'entitlements team:t1',
      'entitlements team:t2',
    ]);
    // Entitlement and grant listings take turns in the one pool: grants are listed before entitlements end.
    const firstGrants = calls.findIndex((c) => c.startsWith('grants'));
    expect(firstGrants).toBeGreaterThanOrEqual(0);
    expect(firstGrants).toBeLessThan(calls.findLastIndex((c) => c.startsWith('entitlements')));
  });

  it('moves GrantExpandable out of team grants into the expansion column', async () => {
    const fake = new FakeConnector()
      .addTeam('t1')
      .addRole('Reviewer')
      .assignRole('Reviewer', resourceId('team', 't1'));
    const { store } = await syncInto(fake, { options: { skipExpandGrants: true } });
    const [stored] = store.grants();
    expect(stored!.grant.id).toBe('role:Reviewer:assigned:team:t1');
    expect(hasAnnotation(stored!.grant.annotations, 'GrantExpandable')).toBe(false);
    expect(stored!.expansion).toEqual({ entitlementIds: ['team:t1:member'] });
  });
});
