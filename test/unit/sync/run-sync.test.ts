import { hasAnnotation, resourceId, type Code } from '../../../src/connector/index.js';
import type { SyncType } from '../../../src/sync/index.js';
import { FakeConnector } from '../../fakes/connector.js';
import { MemorySyncStore } from '../../fakes/memory-store.js';
import { LEVEL, syncError, syncInto } from './sync-harness.js';

const user = (id: string) => resourceId('user', id);
const team = (id: string) => resourceId('team', id);

/** Two users, a team with a member and a manager, a destination group and an account role. */
function fivetranLike(): FakeConnector {
  return new FakeConnector()
    .addUser('u1', { givenName: 'Ada', familyName: 'Lovelace' })
    .addUser('u2')
    .addUser('u3')
    .addTeam('t1', { name: 'Data' })
    .addGroup('g1', 'Warehouse')
    .addRole('Account Admin')
    .addRole('Account Reviewer')
    .addRole('Destination Admin', { scopes: ['DESTINATION'] })
    .addTeamMember('t1', 'u1')
    .addTeamMember('t1', 'u2', { isManager: true })
    .addGroupMember('g1', user('u3'), 'Destination Admin')
    .assignRole('Account Admin', user('u3'))
    .assignRole('Account Reviewer', team('t1'));
}

describe('runSync', () => {
  it('validates, then writes types, resources, entitlements, grants and seals a full sync', async () => {
    const fake = fivetranLike();
    const { store, summary } = await syncInto(fake);

    expect(fake.calls[0]).toEqual({ method: 'validate' });
    expect(store.syncType).toBe('full');
    expect(store.supportsDiff).toBe(true);
    expect(store.isEnded).toBe(true);
    expect(store.resourceTypes().map((t) => t.id)).toEqual(['user', 'group', 'team', 'role']);
    expect(store.resources().map((r) => `${r.id.resourceType}:${r.id.resource}`)).toEqual([
      'user:u1',
      'user:u2',
      'user:u3',
      'group:g1',
      'team:t1',
      'role:Account Admin',
      'role:Account Reviewer',
    ]);
    expect(store.entitlements().map((e) => e.id)).toEqual([
      'group:g1:Destination Admin',
      'team:t1:member',
      'team:t1:manager',
      'role:Account Admin:assigned',
      'role:Account Reviewer:assigned',
    ]);
    expect(store.grantIds()).toEqual([
      'group:g1:Destination Admin:user:u3',
      'role:Account Admin:assigned:user:u3',
      'role:Account Reviewer:assigned:team:t1',
      'role:Account Reviewer:assigned:user:u1',
      'role:Account Reviewer:assigned:user:u2',
      'team:t1:manager:user:u2',
      'team:t1:member:user:u1',
      'team:t1:member:user:u2',
    ]);
    expect(summary).toMatchObject({
      syncId: store.syncId,
      syncType: 'full',
      resourceTypes: 4,
      totals: { resources: 7, entitlements: 5, grants: 8 },
      expandedGrants: 2,
      byResourceType: {
        user: { resources: 3, entitlements: 0, grants: 0 },
        team: { resources: 1, entitlements: 2, grants: 3 },
        role: { resources: 2, entitlements: 2, grants: 4 },
      },
    });
  });

  it('never lists entitlements or grants for a type marked SkipEntitlementsAndGrants', async () => {
    const fake = fivetranLike();
    await syncInto(fake);
    const userCalls = fake.calls.filter((c) => c.resourceTypeId === 'user').map((c) => c.method);
    expect(userCalls).toEqual(['list']);
  });

  it('replaces each grant principal with the stored full resource', async () => {
    const { store } = await syncInto(fivetranLike());
    const g = store.grants().find((x) => x.grant.id === 'team:t1:member:user:u1')!.grant;
    expect(g.principal.displayName).toBe('Ada Lovelace');
    expect(hasAnnotation(g.principal.annotations, 'UserTrait')).toBe(true);
  });

  it('fails before starting a sync when validate fails', async () => {
    const fake = fivetranLike();
    fake.validateError = new Error('bad key');
    const { err, store } = await syncError(fake);
    expect((err as Error).message).toBe('bad key');
    expect(store.syncId).toBeUndefined();
    expect(fake.calls).toEqual([{ method: 'validate' }]);
  });

  it('prepares the store while the validation call is in flight, and starts the sync after it', async () => {
    let prepared!: () => void;
    const preparing = new Promise<void>((resolve) => (prepared = resolve));
    const order: string[] = [];
    class PreparedStore extends MemorySyncStore {
      prepare(): void {
        order.push('prepare');
        prepared();
      }
      override startSync(syncType: SyncType): string {
        order.push('start');
        return super.startSync(syncType);
      }
    }
    const fake = fivetranLike().onCall(async (call) => {
      if (call.method !== 'validate') return;
      // Validation answers only once the store is prepared: a sync that prepared after it would time out.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('store not prepared during validation')), 2000);
      });
      await Promise.race([preparing, timeout]).finally(() => clearTimeout(timer));
      order.push('validated');
    });
    const { store } = await syncInto(fake, {}, new PreparedStore());
    expect(order).toEqual(['prepare', 'validated', 'start']);
    expect(store.isEnded).toBe(true);
  });

  it('writes a resources_only sync without entitlements, grants or supports_diff when they are skipped', async () => {
    const fake = fivetranLike();
    const { store, summary } = await syncInto(fake, { options: { skipEntitlementsAndGrants: true } });
    expect(store.syncType).toBe('resources_only');
    expect(store.resources()).toHaveLength(7);
    expect(store.entitlements()).toHaveLength(0);
    expect(store.grants()).toHaveLength(0);
    expect(store.supportsDiff).toBe(false);
    expect(store.isEnded).toBe(true);
    expect(fake.calls.every((c) => c.method === 'validate' || c.method === 'list')).toBe(true);
    expect(summary.syncType).toBe('resources_only');
  });

  it('lists entitlements but no grants with skipGrants', async () => {
    const fake = fivetranLike();
    const { store } = await syncInto(fake, { options: { skipGrants: true } });
    expect(store.syncType).toBe('full');
    expect(store.entitlements()).toHaveLength(5);
    expect(store.grants()).toHaveLength(0);
    expect(fake.calls.some((c) => c.method === 'grants')).toBe(false);
    expect(store.supportsDiff).toBe(true);
  });

  it('keeps expansion columns but derives nothing with skipExpandGrants', async () => {
    const { store, summary } = await syncInto(fivetranLike(), { options: { skipExpandGrants: true } });
    expect(store.grants()).toHaveLength(6);
    expect(store.grants().filter((g) => g.expansion)).toEqual([
      expect.objectContaining({ expansion: { entitlementIds: ['team:t1:member'] } }),
    ]);
    expect(summary.expandedGrants).toBe(0);
    expect(store.supportsDiff).toBe(true);
  });

  it('syncs only the resource types in the filter', async () => {
    const fake = fivetranLike();
    const { store, lines } = await syncInto(fake, { options: { resourceTypeIds: ['team', 'user', 'nope'] } });
    expect(store.resourceTypes().map((t) => t.id)).toEqual(['user', 'team']);
    expect(new Set(store.resources().map((r) => r.id.resourceType))).toEqual(new Set(['user', 'team']));
    expect(store.entitlements().every((e) => e.resource.id.resourceType === 'team')).toBe(true);
    expect(fake.calls.some((c) => c.resourceTypeId === 'role' || c.resourceTypeId === 'group')).toBe(false);
    expect(store.grantIds()).toEqual([
      'team:t1:manager:user:u2',
      'team:t1:member:user:u1',
      'team:t1:member:user:u2',
    ]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: LEVEL.warn,
        resourceType: 'nope',
        msg: 'sync filter names an unknown resource type',
      }),
    );
  });

  it('pages every listing with the requested page size and writes one batch per page', async () => {
    const fake = new FakeConnector().addTeam('t1');
    for (let i = 0; i < 7; i++) fake.addUser(`u${i}`).addTeamMember('t1', `u${i}`);
    const { store } = await syncInto(fake, { options: { pageSize: 3 } });
    const userLists = fake.calls.filter((c) => c.method === 'list' && c.resourceTypeId === 'user');
    expect(userLists.map((c) => [c.pageToken, c.pageSize])).toEqual([
      [undefined, 3],
      ['3', 3],
      ['6', 3],
    ]);
    expect(store.resources('user')).toHaveLength(7);
    expect(store.writes.filter((w) => w.table === 'grants').map((w) => w.count)).toEqual([3, 3, 1]);
    expect(store.grants()).toHaveLength(7);
  });

  it('uses one typeGrants pass instead of per-resource grants when the syncer has it', async () => {
    const fake = fivetranLike().addTeam('t2').addTeamMember('t2', 'u3').useTypeGrants('team');
    const { store } = await syncInto(fake);
    expect(fake.calls.filter((c) => c.resourceTypeId === 'team' && c.method === 'grants')).toHaveLength(0);
    expect(fake.calls.filter((c) => c.method === 'typeGrants')).toEqual([
      expect.objectContaining({ resourceTypeId: 'team' }),
    ]);
    expect(store.grantIds()).toEqual(
      expect.arrayContaining(['team:t1:member:user:u1', 'team:t2:member:user:u3']),
    );
  });

  it('reports growing per-type counts as progress events', async () => {
    const fake = fivetranLike();
    const { events, summary } = await syncInto(fake, { options: { pageSize: 2 } });
    const userResources = events.filter((e) => e.phase === 'resources' && e.resourceTypeId === 'user');
    expect(userResources.map((e) => e.counts.resources)).toEqual([2, 3]);
    const phases = [...new Set(events.map((e) => e.phase))];
    // Entitlement and grant listings share one pool, so their events interleave.
    expect(phases[0]).toBe('resources');
    expect(phases.slice(1, 3).sort()).toEqual(['entitlements', 'grants']);
    expect(phases[3]).toBe('expand-grants');
    const last = events.filter((e) => e.resourceTypeId === 'role').at(-1)!;
    expect(last.counts).toEqual(summary.byResourceType['role']);
  });

  it('keeps at most `concurrency` entitlement and grant listings in flight', async () => {
    const fake = new FakeConnector();
    for (let i = 0; i < 12; i++) fake.addTeam(`t${i}`);
    let inFlight = 0;
    let peak = 0;
    fake.onCall(async (call) => {
      if (call.method !== 'entitlements' && call.method !== 'grants') return;
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
    });
    const { store } = await syncInto(fake, { concurrency: 3 });
    expect(peak).toBe(3);
    expect(store.entitlements()).toHaveLength(24);
    peak = 0;
    await syncInto(fake, { concurrency: 1 });
    expect(peak).toBe(1);
  });

  it('rejects out-of-range options before calling the connector', async () => {
    const fake = fivetranLike();
    const bad = await syncError(fake, { options: { pageSize: 0 } });
    expect(bad.err).toMatchObject({ code: 3 satisfies Code });
    const bad2 = await syncError(fake, { concurrency: 0 });
    expect((bad2.err as Error).message).toMatch(/concurrency/);
    expect(fake.calls).toHaveLength(0);
  });

  it('does not mark a sync as ended when a phase fails', async () => {
    const fake = fivetranLike().intercept('grants', 'team', () => {
      throw new Error('upstream exploded');
    });
    const { store, err } = await syncError(fake);
    expect((err as Error).message).toBe('upstream exploded');
    expect(store.syncId).toBeDefined();
    expect(store.isEnded).toBe(false);
    expect(store.supportsDiff).toBe(false);
  });
});
