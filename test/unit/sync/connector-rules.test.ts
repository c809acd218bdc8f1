import {
  annotations,
  Code,
  typeUrl,
  V2,
  type Connector,
  type Entitlement,
  type Resource,
  type ResourceSyncer,
} from '../../../src/connector/index.js';
import { FakeConnector } from '../../fakes/connector.js';
import { syncError, syncInto } from './sync-harness.js';

const unchanged = (what: string) =>
  expect.objectContaining({
    code: Code.INTERNAL,
    message: expect.stringMatching(
      new RegExp(
        `^baton-fivetran: ${what} failed: next page token unchanged \\(.+\\) - likely a connector bug$`,
      ),
    ),
  });

describe('sync engine rules for connector output', () => {
  it('refuses a repeated page token when listing resources', async () => {
    const fake = new FakeConnector().addUser('u1').repeatPageToken('list', 'user');
    const { err, store } = await syncError(fake);
    expect(err).toEqual(unchanged('listing resources for type user'));
    expect(fake.calls.filter((c) => c.method === 'list' && c.resourceTypeId === 'user')).toHaveLength(2);
    expect(store.isEnded).toBe(false);
  });

  it('refuses a repeated page token when listing entitlements', async () => {
    const fake = new FakeConnector().addTeam('t1').repeatPageToken('entitlements', 'team');
    const { err } = await syncError(fake);
    expect(err).toEqual(unchanged('listing entitlements for resource team:t1'));
  });

  it('refuses a repeated page token when listing grants, per resource and per type', async () => {
    const perResource = new FakeConnector().addTeam('t1').repeatPageToken('grants', 'team');
    expect((await syncError(perResource)).err).toEqual(unchanged('listing grants for resource team:t1'));
    const perType = new FakeConnector()
      .addTeam('t1')
      .useTypeGrants('team')
      .repeatPageToken('typeGrants', 'team');
    expect((await syncError(perType)).err).toEqual(unchanged('listing grants for type team'));
  });

  it('refuses a token that comes back after a different one, so a token cycle cannot loop', async () => {
    const fake = new FakeConnector().addTeam('t1');
    // Fresh items on every page, so only the token check can stop it.
    fake.intercept('list', 'team', (p, call) => ({
      ...p,
      items: (p.items as Resource[]).map((r) => ({
        ...r,
        id: { ...r.id, resource: `t-${call.pageToken ?? 'first'}` },
      })),
      nextPageToken: call.pageToken === 'a' ? 'b' : 'a',
    }));
    const { err } = await syncError(fake);
    expect(err).toEqual(unchanged('listing resources for type team'));
    expect(fake.calls.filter((c) => c.method === 'list' && c.resourceTypeId === 'team')).toHaveLength(3);
  });

  describe('a listing that never ends under fresh page tokens', () => {
    const endless = (fresh: boolean) => {
      const fake = new FakeConnector().addTeam('t1').addTeam('t2');
      fake.intercept('list', 'team', (p, call) => {
        const n = Number(call.pageToken ?? '0');
        return {
          ...p,
          items: fresh
            ? (p.items as Resource[]).map((r) => ({
                ...r,
                id: { ...r.id, resource: `${r.id.resource}-${n}` },
              }))
            : p.items,
          nextPageToken: String(n + 1),
        };
      });
      return fake;
    };
    const listCalls = (fake: FakeConnector) =>
      fake.calls.filter((c) => c.method === 'list' && c.resourceTypeId === 'team').length;

    it('fails retryably on the first page that holds only items listed before', async () => {
      const fake = endless(false);
      const { err, store } = await syncError(fake);
      expect(err).toMatchObject({
        code: Code.UNAVAILABLE,
        retryable: true,
        message:
          'baton-fivetran: listing resources for type team failed: page 2 holds only items listed on ' +
          'earlier pages; taken as a list that never ends',
      });
      expect(listCalls(fake)).toBe(2);
      expect(store.isEnded).toBe(false);
    });

    it('fails retryably after maxPagesPerListing pages of new items', async () => {
      const fake = endless(true);
      const { err } = await syncError(fake, { options: { maxPagesPerListing: 7 } });
      expect(err).toMatchObject({
        code: Code.UNAVAILABLE,
        retryable: true,
        message:
          'baton-fivetran: listing resources for type team failed: more than 7 pages, more than the ' +
          'account can hold; taken as a list that never ends',
      });
      expect(listCalls(fake)).toBe(8);
    });

    it('refuses a maxPagesPerListing that is not a positive integer, before any call', async () => {
      for (const maxPagesPerListing of [0, -1, 2.5]) {
        const fake = endless(true);
        const { err } = await syncError(fake, { options: { maxPagesPerListing } });
        expect(err).toMatchObject({
          code: Code.INVALID_ARGUMENT,
          message: 'baton-fivetran: sync option maxPagesPerListing must be a positive integer',
        });
        expect(listCalls(fake)).toBe(0);
      }
    });

    it('keeps a page that repeats some items (an offset cursor shifted by an insert)', async () => {
      const fake = new FakeConnector().addTeam('t1').addTeam('t2').addTeam('t3');
      fake.intercept('list', 'team', (p, call) => {
        const [a, b, c] = p.items;
        return call.pageToken === undefined
          ? { ...p, items: [a!, b!], nextPageToken: 'next' }
          : { ...p, items: [b!, c!], nextPageToken: undefined };
      });
      const { store } = await syncInto(fake, { options: { resourceTypeIds: ['team'] } });
      expect(store.isEnded).toBe(true);
      expect(
        store
          .resources('team')
          .map((r) => r.id.resource)
          .sort(),
      ).toEqual(['t1', 't2', 't3']);
      expect(listCalls(fake)).toBe(2);
    });
  });

  it('drops resources with an empty id and entitlements without an id or resource', async () => {
    const fake = new FakeConnector().addTeam('t1').addTeam('t2');
    fake.intercept('list', 'team', (p) => ({
      ...p,
      items: [
        ...p.items,
        { id: { resourceType: 'team', resource: '' }, annotations: [annotations.groupTrait()] },
      ],
    }));
    fake.intercept('entitlements', 'team', (p) => {
      const [first] = p.items as Entitlement[];
      return {
        ...p,
        items: [
          ...p.items,
          { ...first!, id: '' },
          { ...first!, id: 'x', resource: undefined as unknown as Resource },
        ],
      };
    });
    const { store, summary } = await syncInto(fake);
    expect(store.resources('team').map((r) => r.id.resource)).toEqual(['t1', 't2']);
    expect(store.entitlements().map((e) => e.id)).toEqual([
      'team:t1:member',
      'team:t1:manager',
      'team:t2:member',
      'team:t2:manager',
    ]);
    expect(summary.dropped).toMatchObject({ resources: 1, entitlements: 4 });
  });

  it('fails the sync when a resource carries a BatonID annotation', async () => {
    const fake = new FakeConnector().addGroup('g1');
    fake.intercept('list', 'group', (p) => ({
      ...p,
      items: (p.items as Resource[]).map((r) => ({
        ...r,
        annotations: [...(r.annotations ?? []), { '@type': typeUrl(`${V2}.BatonID`) }],
      })),
    }));
    const { err, store } = await syncError(fake);
    expect(err).toMatchObject({
      code: Code.INTERNAL,
      message: expect.stringContaining('group:g1 carries a BatonID'),
    });
    expect(store.resources('group')).toHaveLength(0);
  });

  it('fails the sync when a resource lacks the trait its type declares', async () => {
    const fake = new FakeConnector().addUser('u1').omitTraits('user');
    const { err } = await syncError(fake);
    expect(err).toMatchObject({
      code: Code.INTERNAL,
      message:
        'baton-fivetran: listing resources for type user failed: resource was missing expected trait UserTrait (user:u1)',
    });
  });

  it('lists child resource types under each parent that declares them, once its page is stored', async () => {
    const org = (id: string): Resource => ({
      id: { resourceType: 'org', resource: id },
      annotations: [annotations.childResourceType('project'), annotations.childResourceType('missing')],
    });
    const orgs: ResourceSyncer = {
      resourceType: { id: 'org', displayName: 'Org' },
      list: async (parent) => {
        listed.push(`orgs under ${parent?.resource ?? '-'}`);
        return { items: parent ? [] : [org('o1'), org('o2')] };
      },
      entitlements: async () => ({ items: [] }),
      grants: async () => ({ items: [] }),
    };
    const listed: string[] = [];
    const projects: ResourceSyncer = {
      resourceType: { id: 'project', displayName: 'Project' },
      list: async (parent, req) => {
        listed.push(`${parent?.resource ?? '-'}@${req.pageToken ?? ''}`);
        if (!parent) return { items: [] };
        const p = (n: number) => ({
          id: { resourceType: 'project', resource: `${parent.resource}-p${n}` },
          parentResourceId: parent,
        });
        return req.pageToken ? { items: [p(2)] } : { items: [p(1)], nextPageToken: 'next' };
      },
      entitlements: async () => ({ items: [] }),
      grants: async () => ({ items: [] }),
    };
    const fake = new FakeConnector().addSyncer(orgs).addSyncer(projects);
    const { store, lines } = await syncInto(fake, {
      options: { resourceTypeIds: ['org', 'project', 'team'] },
    });
    const projectRows = store.resources('project').map((r) => [r.id.resource, r.parentResourceId?.resource]);
    expect(projectRows.sort()).toEqual([
      ['o1-p1', 'o1'],
      ['o1-p2', 'o1'],
      ['o2-p1', 'o2'],
      ['o2-p2', 'o2'],
    ]);
    expect([...listed].sort()).toEqual(['-@', 'o1@', 'o1@next', 'o2@', 'o2@next', 'orgs under -']);
    // A parent's children are listed after the page holding it, each listing's pages in order.
    const at = (call: string) => listed.indexOf(call);
    expect(at('o1@')).toBeGreaterThan(at('orgs under -'));
    expect(at('o2@')).toBeGreaterThan(at('orgs under -'));
    expect(at('o1@next')).toBeGreaterThan(at('o1@'));
    expect(at('o2@next')).toBeGreaterThan(at('o2@'));
    expect(lines.filter((l) => l.resourceType === 'missing')).toHaveLength(2);
  });

  it('lists the resources of several types side by side, never more listings at once than the concurrency', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const order: string[] = [];
    const paged = (typeId: string, pages: number): ResourceSyncer => ({
      resourceType: { id: typeId, displayName: typeId },
      list: async (_parent, req) => {
        const at = Number(req.pageToken ?? 0);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        order.push(`${typeId}${at}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return {
          items: [{ id: { resourceType: typeId, resource: `${typeId}${at}` } }],
          ...(at + 1 < pages ? { nextPageToken: String(at + 1) } : {}),
        };
      },
      entitlements: async () => ({ items: [] }),
      grants: async () => ({ items: [] }),
    });
    const fake = new FakeConnector();
    for (const [typeId, pages] of [
      ['a', 6],
      ['b', 1],
      ['c', 1],
      ['d', 1],
      ['e', 1],
    ] as const)
      fake.addSyncer(paged(typeId, pages));
    const { store } = await syncInto(fake, {
      concurrency: 2,
      options: { resourceTypeIds: ['a', 'b', 'c', 'd', 'e'] },
    });
    // The one-page types do not wait for a's six pages (a's next page is asked for ahead, so up to 3 calls).
    expect(order.indexOf('e0')).toBeLessThan(order.indexOf('a5'));
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(store.resources('a')).toHaveLength(6);
    for (const t of ['b', 'c', 'd', 'e']) expect(store.resources(t)).toHaveLength(1);
  });

  it('honours skip annotations on a resource type and on single resources', async () => {
    const fake = new FakeConnector().addTeam('t1').addTeam('t2').addTeam('t3').addGroup('g1');
    fake.addTeamMember('t1', 'u1').addTeamMember('t2', 'u1').addTeamMember('t3', 'u1').addUser('u1');
    const skips: Record<string, ReturnType<typeof annotations.skipGrants>> = {
      t1: annotations.skipEntitlements(),
      t2: annotations.skipGrants(),
      t3: annotations.skipEntitlementsAndGrants(),
    };
    fake.intercept('list', 'team', (p) => ({
      ...p,
      items: (p.items as Resource[]).map((r) => ({
        ...r,
        annotations: [...(r.annotations ?? []), skips[r.id.resource]!],
      })),
    }));
    const { store } = await syncInto(fake);
    const calls = fake.calls.map((c) => `${c.method} ${c.resourceId ?? ''}`);
    expect(calls).toEqual(expect.arrayContaining(['entitlements team:t2', 'grants team:t1']));
    expect(calls).not.toEqual(expect.arrayContaining(['entitlements team:t1']));
    expect(calls).not.toEqual(expect.arrayContaining(['grants team:t2']));
    expect(calls.filter((c) => c.endsWith('team:t3'))).toEqual([]);
    expect(store.grantIds()).toEqual(['team:t1:member:user:u1']);
    expect(store.entitlements().map((e) => e.resource.id.resource)).toEqual(['t2', 't2']);
  });

  it('honours a skip annotation on the resource type for every resource', async () => {
    const base = new FakeConnector().addTeam('t1').addTeam('t2').addUser('u1').addTeamMember('t1', 'u1');
    const connector: Connector = {
      metadata: () => base.metadata(),
      validate: (o) => base.validate(o),
      resourceSyncers: () =>
        base
          .resourceSyncers()
          .map((s) =>
            s.resourceType.id === 'team'
              ? { ...s, resourceType: { ...s.resourceType, annotations: [annotations.skipGrants()] } }
              : s,
          ),
    };
    const { store } = await syncInto(connector);
    expect(store.entitlements()).toHaveLength(4);
    expect(store.grants()).toHaveLength(0);
    expect(base.calls.filter((c) => c.method === 'grants')).toHaveLength(0);
  });
});
