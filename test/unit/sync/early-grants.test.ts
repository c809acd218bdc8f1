// Grant listings that start while the resource walk still runs (issue 10): the walk of a large account is a
// chain of one user page at a time, so the other call slots list the grants of resources already stored and
// hold the pages until every principal is stored.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  annotations,
  resourceId,
  type Grant,
  type Page,
  type Resource,
  type ResourceSyncer,
  type ResourceType,
} from '../../../src/connector/index.js';
import { FakeConnector } from '../../fakes/connector.js';
import { MemorySyncStore } from '../../fakes/memory-store.js';
import { syncError, syncInto } from './sync-harness.js';

const user = (id: string) => resourceId('user', id);

/** Six users listed two per page, each page answered after `userPageMs`; three teams and two groups. */
function slowUserWalk(userPageMs: number): { fake: FakeConnector; events: string[] } {
  const fake = new FakeConnector();
  for (let i = 1; i <= 6; i++) fake.addUser(`u${i}`, { givenName: `Name${i}` });
  fake.addRole('Destination Admin', { scopes: ['DESTINATION'] });
  for (const t of ['t1', 't2', 't3']) fake.addTeam(t);
  fake.addTeamMember('t1', 'u1').addTeamMember('t2', 'u5', { isManager: true }).addTeamMember('t3', 'u6');
  fake.addGroup('g1').addGroup('g2');
  fake
    .addGroupMember('g1', user('u6'), 'Destination Admin')
    .addGroupMember('g2', user('u2'), 'Destination Admin');
  const events: string[] = [];
  fake.onCall(async (call) => {
    if (call.method === 'list' && call.resourceTypeId === 'user') {
      await sleep(userPageMs);
      events.push('user page answered');
    } else if (call.method === 'grants' || call.method === 'typeGrants') {
      events.push(`grants ${call.resourceId ?? call.resourceTypeId}`);
    }
  });
  return { fake, events };
}

const beforeWalkEnd = (events: readonly string[]) =>
  events.slice(0, events.lastIndexOf('user page answered')).filter((e) => e.startsWith('grants'));

describe('grant listings during the resource walk', () => {
  it('lists grants of stored resources while users are still listed, and stores them with full principals', async () => {
    const { fake, events } = slowUserWalk(30);
    const { store } = await syncInto(fake, { options: { pageSize: 2 }, concurrency: 4 });
    // Team and group grants were asked for before the last user page was answered.
    expect(beforeWalkEnd(events)).toEqual(
      expect.arrayContaining(['grants team:t1', 'grants team:t2', 'grants group:g1']),
    );
    // Held until the walk ended, then stored with each principal as the stored user.
    const g = store.grants().find((x) => x.grant.id === 'team:t3:member:user:u6')!.grant;
    expect(g.principal).toMatchObject({ id: user('u6'), displayName: 'Name6' });
    const sequential = await syncInto(slowUserWalk(0).fake, { options: { pageSize: 2 }, concurrency: 1 });
    // Exactly the grants a sequential sync stores (one call slot: nothing is listed during the walk).
    const byId = (r: typeof store) => new Map(r.grants().map((x) => [x.grant.id, x]));
    expect(byId(store)).toEqual(byId(sequential.store));
    expect(store.grantIds()).toHaveLength(6);
  });

  it('holds at most the budget: past it, no listing starts and none makes its next call until the walk ends', async () => {
    const { fake, events } = slowUserWalk(40);
    for (let i = 0; i < 10; i++) {
      fake.addGroup(`m${i}`);
      for (let u = 1; u <= 4; u++) fake.addGroupMember(`m${i}`, user(`u${u}`), 'Destination Admin');
    }
    const { store } = await syncInto(fake, { options: { pageSize: 2 }, concurrency: 4, maxHeldGrants: 3 });
    // Three listings start at once (one slot walks users), and each holds one page of two grants: six, then
    // no further call. Without the budget every one of the 2 + 3 + 10 listings is read during the walk.
    const early = beforeWalkEnd(events);
    expect(early.length).toBeGreaterThan(0);
    expect(early.length).toBeLessThanOrEqual(4);
    expect(store.grantIds().filter((id) => id.startsWith('group:m'))).toHaveLength(40);
  });

  it('gives a listing that asks for a resource count the final count, asking again after the walk', async () => {
    const { fake } = slowUserWalk(20);
    const seen: number[] = [];
    let asked = 0;
    fake.addSyncer(
      countingSyncer((req) => {
        asked++;
        seen.push(req.resourceCount!('user'));
      }),
    );
    await syncInto(fake, { options: { pageSize: 2 }, concurrency: 4 });
    expect(seen).toEqual([6]);
    // Once during the walk (refused), once after it.
    expect(asked).toBe(2);
  });

  it('lists the grants of resources stored as children after their type had gone idle', async () => {
    const { fake } = slowUserWalk(20);
    const folderType: ResourceType = { id: 'folder', displayName: 'Folder', traits: [] };
    const docType: ResourceType = { id: 'doc', displayName: 'Doc', traits: [] };
    const doc: Resource = { id: resourceId('doc', 'd1'), displayName: 'D1' };
    // The child type comes first: it is read (empty) before its parent's listing has stored a folder.
    fake.addSyncer({
      ...emptySyncer(docType),
      list: async (parent) => ({ items: parent ? [{ ...doc, parentResourceId: parent }] : [] }),
      grants: async (r) => ({
        items: [
          {
            id: `doc:${r.id.resource}:reader:user:u3`,
            entitlement: { id: `doc:${r.id.resource}:reader`, resource: r },
            principal: { id: user('u3') },
          },
        ],
      }),
    });
    fake.addSyncer({
      ...emptySyncer(folderType),
      list: async () => {
        await sleep(50);
        return {
          items: [
            {
              id: resourceId('folder', 'f1'),
              displayName: 'F1',
              annotations: [annotations.childResourceType('doc')],
            },
          ],
        };
      },
    });
    const { store } = await syncInto(fake, { options: { pageSize: 2 }, concurrency: 4 });
    expect(store.grantIds()).toContain('doc:d1:reader:user:u3');
  });

  it('lists entitlements of the resources the walk stored, not of those a held grant page inserts', async () => {
    const { fake } = slowUserWalk(20);
    const docType: ResourceType = { id: 'doc', displayName: 'Doc', traits: [] };
    const entitlementsOf: string[] = [];
    const inserted: Resource = { id: resourceId('doc', 'inserted'), displayName: 'Inserted' };
    fake.addSyncer({
      ...emptySyncer(docType),
      list: async (parent) => ({ items: parent ? [] : [{ id: resourceId('doc', 'd1'), displayName: 'D1' }] }),
      entitlements: async (r) => {
        entitlementsOf.push(r.id.resource);
        return { items: [] };
      },
      grants: async (r) => ({
        items:
          r.id.resource === 'd1'
            ? [
                {
                  id: 'doc:inserted:reader:user:u3',
                  entitlement: { id: 'doc:inserted:reader', resource: inserted },
                  principal: { id: user('u3') },
                },
              ]
            : [],
        annotations: [annotations.insertResourceGrants()],
      }),
    });
    const { store } = await syncInto(fake, { options: { pageSize: 2 }, concurrency: 4 });
    expect(store.resources('doc').map((r) => r.id.resource)).toEqual(['d1', 'inserted']);
    expect(store.grantIds()).toContain('doc:inserted:reader:user:u3');
    expect(entitlementsOf).toEqual(['d1']);
  });

  it('fails the sync with a grant listing failure during the walk and stops the walk', async () => {
    const { fake, events } = slowUserWalk(30);
    // u1 is on the first user page, stored before the failure: g0's held grant could be stored after it.
    fake.addGroup('g0').addGroupMember('g0', user('u1'), 'Destination Admin');
    fake.onCall(async (call) => {
      if (call.method !== 'grants' || call.resourceId !== 'team:t1') return;
      await sleep(45);
      throw new Error('team grants broke');
    });
    const { err, store } = await syncError(fake, { options: { pageSize: 1 }, concurrency: 4 });
    expect(err).toMatchObject({ message: 'team grants broke' });
    // Six user pages of one; the walk stopped after the failure instead of listing them all.
    expect(events.filter((e) => e === 'user page answered').length).toBeLessThan(6);
    // The group grant pages held during the walk were dropped, not stored after the failure.
    expect(events).toContain('grants group:g0');
    expect(store.grantIds()).toEqual([]);
  });

  it('stores a large page of resources in slices of 250, letting other listings go on in between', async () => {
    const { fake } = slowUserWalk(0);
    const folderType: ResourceType = { id: 'folder', displayName: 'Folder', traits: [] };
    const folders = Array.from({ length: 600 }, (_, i) => ({
      id: resourceId('folder', `f${i}`),
      displayName: `F${i}`,
    }));
    fake.addSyncer({ ...emptySyncer(folderType), list: async () => ({ items: folders }) });
    const store = new (class extends MemorySyncStore {
      readonly folderPuts: number[] = [];
      override putResources(items: readonly Resource[]): void {
        if (items[0]?.id.resourceType === 'folder') this.folderPuts.push(items.length);
        super.putResources(items);
      }
    })();
    await syncInto(fake, {}, store);
    expect(store.folderPuts).toEqual([250, 250, 100]);
    expect(store.resources('folder')).toHaveLength(600);
  });

  it('never has more than `concurrency` calls in flight across the walk and the grant listings', async () => {
    const { fake } = slowUserWalk(10);
    for (let i = 0; i < 8; i++) fake.addTeam(`x${i}`).addTeamMember(`x${i}`, 'u2');
    let inFlight = 0;
    let peak = 0;
    fake.onCall(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(3);
      inFlight--;
    });
    await syncInto(fake, { options: { pageSize: 2 }, concurrency: 3 });
    expect(peak).toBe(3);
  });
});

function emptySyncer(type: ResourceType): ResourceSyncer {
  const none = async (): Promise<Page<never>> => ({ items: [] });
  return { resourceType: type, list: none, entitlements: none, grants: none };
}

/** A type with one resource whose grant listing first calls `onGrants` (which may read counts). */
function countingSyncer(
  onGrants: Parameters<ResourceSyncer['grants']>[1] extends infer R ? (req: R) => void : never,
): ResourceSyncer {
  const type: ResourceType = { id: 'project', displayName: 'Project', traits: [] };
  return {
    ...emptySyncer(type),
    list: async () => ({ items: [{ id: resourceId('project', 'p1'), displayName: 'P1' }] }),
    grants: async (_r, req): Promise<Page<Grant>> => {
      onGrants(req);
      return { items: [] };
    },
  };
}
