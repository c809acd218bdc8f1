import {
  annotations,
  hasAnnotation,
  resourceId,
  type AnyMessage,
  type Entitlement,
  type Grant,
} from '../../../src/connector/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { C1zWriter } from '../../../src/c1z/index.js';
import { expandGrants, type ExpandGrantsArgs } from '../../../src/sync/index.js';
import { FakeConnector } from '../../fakes/connector.js';
import { MemorySyncStore } from '../../fakes/memory-store.js';
import { LEVEL, logSink, syncInto } from './sync-harness.js';

const ent = (id: string): Entitlement => {
  const [type, res] = id.split(':');
  return { id, resource: { id: resourceId(type!, res!), displayName: res! }, displayName: `${id} (full)` };
};

interface Edge {
  readonly via?: string[];
  readonly shallow?: boolean;
  readonly types?: string[];
}

/** A store holding the given entitlements and direct grants `entitlement <- principal` (`type:id`). */
function seed(entitlementIds: string[], grants: [string, string, Edge?][]): MemorySyncStore {
  const store = new MemorySyncStore();
  store.startSync('full');
  store.putEntitlements(entitlementIds.map(ent));
  store.putGrants(
    grants.map(([e, p, edge]): Grant => {
      const [type, id] = p.split(':');
      const expandable: AnyMessage[] = edge?.via
        ? [
            {
              ...annotations.grantExpandable(edge.via, { shallow: edge.shallow === true }),
              ...(edge.types ? { resourceTypeIds: edge.types } : {}),
            },
          ]
        : [];
      return {
        id: `${e}:${p}`,
        entitlement: { id: e, resource: ent(e).resource },
        principal: { id: resourceId(type!, id!), displayName: `${p} (full)` },
        ...(expandable.length ? { annotations: expandable } : {}),
      };
    }),
  );
  return store;
}

async function expand(store: MemorySyncStore, extra: Partial<ExpandGrantsArgs> = {}) {
  const { log, lines } = logSink();
  const result = await expandGrants({ store, log, signal: new AbortController().signal, ...extra });
  return { result, lines };
}

const holders = (store: MemorySyncStore, entitlementId: string) =>
  store
    .grants()
    .filter((g) => g.grant.entitlement.id === entitlementId)
    .map((g) => `${g.grant.principal.id.resourceType}:${g.grant.principal.id.resource}`)
    .sort();

const sourcesOf = (store: MemorySyncStore, id: string) => store.getGrant(id)?.grant.sources?.sources;

/** Team t1 (u1, u2) holds role Reviewer, and u1 holds it directly too. */
const reviewerTeam = () =>
  new FakeConnector()
    .addUser('u1')
    .addUser('u2')
    .addTeam('t1')
    .addRole('Reviewer')
    .addTeamMember('t1', 'u1')
    .addTeamMember('t1', 'u2')
    .assignRole('Reviewer', resourceId('team', 't1'))
    .assignRole('Reviewer', resourceId('user', 'u1'));

describe('grant expansion', () => {
  it('derives immutable grants for team members and merges sources into direct grants', async () => {
    const { store, summary } = await syncInto(reviewerTeam());

    const derived = store.getGrant('role:Reviewer:assigned:user:u2')!.grant;
    expect(derived.sources).toEqual({ sources: { 'team:t1:member': {} } });
    expect(derived.annotations).toEqual([annotations.grantImmutable()]);
    expect(derived.entitlement).toEqual(store.getEntitlement('role:Reviewer:assigned'));
    expect(derived.principal).toEqual(store.getResource(resourceId('user', 'u2')));

    const direct = store.getGrant('role:Reviewer:assigned:user:u1')!.grant;
    expect(direct.sources).toEqual({
      sources: { 'role:Reviewer:assigned': { isDirect: true }, 'team:t1:member': {} },
    });
    expect(hasAnnotation(direct.annotations, 'GrantImmutable')).toBe(false);
    expect(summary.expandedGrants).toBe(1);
    expect(summary.byResourceType['role']!.grants).toBe(3);
  });

  it('merges sources into direct grants stored in a c1z (the writer answers which ids exist in one query)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'expand-c1z-'));
    const writer = C1zWriter.create({ path: join(dir, 'out.c1z') });
    try {
      const { summary } = await syncInto(reviewerTeam(), {}, writer);
      expect(writer.getGrant('role:Reviewer:assigned:user:u1')?.grant.sources).toEqual({
        sources: { 'role:Reviewer:assigned': { isDirect: true }, 'team:t1:member': {} },
      });
      expect(writer.getGrant('role:Reviewer:assigned:user:u2')?.grant.sources).toEqual({
        sources: { 'team:t1:member': {} },
      });
      expect(summary.expandedGrants).toBe(1);
      expect(
        writer.storedGrantIds(['role:Reviewer:assigned:user:u1', 'role:Reviewer:assigned:user:u9']),
      ).toEqual(new Set(['role:Reviewer:assigned:user:u1']));
    } finally {
      writer.abort();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('propagates derived grants transitively unless the next edge is shallow', async () => {
    const build = (shallow: boolean) =>
      seed(
        ['group:a:member', 'group:b:member', 'group:c:member'],
        [
          ['group:a:member', 'user:u1'],
          ['group:b:member', 'user:u2'],
          ['group:b:member', 'group:a', { via: ['group:a:member'] }],
          ['group:c:member', 'group:b', { via: ['group:b:member'], shallow }],
        ],
      );
    const deep = build(false);
    await expand(deep);
    expect(holders(deep, 'group:c:member')).toEqual(['group:a', 'group:b', 'user:u1', 'user:u2']);
    expect(sourcesOf(deep, 'group:c:member:user:u1')).toEqual({ 'group:b:member': {} });

    const shallow = build(true);
    await expand(shallow);
    expect(holders(shallow, 'group:b:member')).toEqual(['group:a', 'user:u1', 'user:u2']);
    expect(holders(shallow, 'group:c:member')).toEqual(['group:a', 'group:b', 'user:u2']);
  });

  it("reads a root source's grants once for all the entitlements it expands into", async () => {
    const store = seed(
      ['team:t:member', 'group:a:member', 'group:b:member', 'role:r:assigned'],
      [
        ['team:t:member', 'user:u1'],
        ['team:t:member', 'user:u2'],
        ['group:a:member', 'user:u1'],
        ['group:a:member', 'team:t', { via: ['team:t:member'] }],
        ['group:b:member', 'team:t', { via: ['team:t:member'] }],
        ['role:r:assigned', 'team:t', { via: ['team:t:member'] }],
      ],
    );
    const reads: string[] = [];
    const list = store.listGrantsForEntitlement.bind(store);
    store.listGrantsForEntitlement = (id: string, after: number, limit: number) => {
      reads.push(id);
      return list(id, after, limit);
    };
    const { result } = await expand(store);
    expect(reads).toEqual(['team:t:member']);
    for (const e of ['group:a:member', 'group:b:member', 'role:r:assigned'])
      expect(holders(store, e)).toEqual(['team:t', 'user:u1', 'user:u2']);
    expect(sourcesOf(store, 'group:a:member:user:u1')).toEqual({
      'group:a:member': { isDirect: true },
      'team:t:member': {},
    });
    expect(result).toMatchObject({ edges: 3, createdGrants: 5, updatedGrants: 1 });
  });

  it('copies only principals of the listed resource types', async () => {
    const store = seed(
      ['group:a:member', 'role:r:assigned'],
      [
        ['group:a:member', 'user:u1'],
        ['group:a:member', 'group:inner'],
        ['role:r:assigned', 'group:a', { via: ['group:a:member'], types: ['user'] }],
      ],
    );
    await expand(store);
    expect(holders(store, 'role:r:assigned')).toEqual(['group:a', 'user:u1']);
  });

  it('terminates on a membership cycle with every member holding both entitlements', async () => {
    const store = seed(
      ['group:a:member', 'group:b:member'],
      [
        ['group:a:member', 'user:u1'],
        ['group:b:member', 'user:u2'],
        ['group:b:member', 'group:a', { via: ['group:a:member'] }],
        ['group:a:member', 'group:b', { via: ['group:b:member'] }],
      ],
    );
    const { result } = await expand(store);
    expect(holders(store, 'group:a:member')).toEqual(['group:b', 'user:u1', 'user:u2']);
    expect(holders(store, 'group:b:member')).toEqual(['group:a', 'user:u1', 'user:u2']);
    expect(sourcesOf(store, 'group:a:member:user:u2')).toEqual({ 'group:b:member': {} });
    expect(result).toMatchObject({ edges: 2, createdGrants: 2 });
  });

  it('stops following a chain deeper than the maximum depth', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `group:g${i}:member`);
    const grants: [string, string, Edge?][] = [['group:g0:member', 'user:u']];
    for (let i = 1; i < ids.length; i++) grants.push([ids[i]!, `group:g${i - 1}`, { via: [ids[i - 1]!] }]);
    const store = seed(ids, grants);
    const { lines } = await expand(store, { maxDepth: 5 });
    const reached = ids.filter((id) => store.getGrant(`${id}:user:u`));
    expect(reached).toEqual(ids.slice(0, 6));
    expect(lines.filter((l) => l.level === LEVEL.warn && /deeper than the maximum/.test(l.msg))).toHaveLength(
      2,
    );
  });

  it('stops iterating a cycle still growing after the maximum number of passes', async () => {
    // g0 <- g7 and g(i) <- g(i-1): listed against the chain, each pass carries user:u one group further.
    const ids = Array.from({ length: 8 }, (_, i) => `group:g${i}:member`);
    const grants: [string, string, Edge?][] = [['group:g0:member', 'user:u']];
    for (let i = ids.length - 1; i >= 1; i--)
      grants.push([ids[i]!, `group:g${i - 1}`, { via: [ids[i - 1]!] }]);
    grants.push(['group:g0:member', 'group:g7', { via: ['group:g7:member'] }]);
    const store = seed(ids, grants);
    const { lines } = await expand(store, { maxDepth: 3 });
    expect(ids.filter((id) => store.getGrant(`${id}:user:u`))).toEqual(ids.slice(0, 4));
    expect(lines.filter((l) => l.level === LEVEL.warn && /cycle still growing/.test(l.msg))).toHaveLength(1);
  });

  it('ignores an expansion naming the entitlement its own grant is on', async () => {
    const store = seed(
      ['group:a:member'],
      [
        ['group:a:member', 'user:u1'],
        ['group:a:member', 'group:a', { via: ['group:a:member'] }],
      ],
    );
    const { result } = await expand(store);
    expect(result).toMatchObject({ edges: 0, droppedEdges: 0, createdGrants: 0, updatedGrants: 0 });
    expect(sourcesOf(store, 'group:a:member:user:u1')).toBeUndefined();
  });

  it('drops edges whose source is missing and warns on a source not on the principal', async () => {
    const store = seed(
      ['group:a:member', 'group:x:member', 'role:r:assigned'],
      [
        ['group:a:member', 'user:u1'],
        ['group:x:member', 'user:u2'],
        ['role:r:assigned', 'group:a', { via: ['group:gone:member', 'group:x:member', 'group:a:member'] }],
      ],
    );
    const { result, lines } = await expand(store);
    expect(holders(store, 'role:r:assigned')).toEqual(['group:a', 'user:u1']);
    expect(result).toMatchObject({ edges: 1, droppedEdges: 2 });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: LEVEL.warn,
        entitlementId: 'group:x:member',
        grantId: 'role:r:assigned:group:a',
      }),
    );
  });

  it('keeps the expansion of an expandable grant it adds a source to', async () => {
    const store = seed(
      ['group:a:member', 'group:b:member', 'group:c:member'],
      [
        ['group:a:member', 'user:u1'],
        ['group:c:member', 'group:a', { via: ['group:a:member'] }],
        ['group:b:member', 'group:c', { via: ['group:c:member'] }],
        ['group:b:member', 'group:a', { via: ['group:a:member'], shallow: true }],
      ],
    );
    await expand(store);
    const touched = store.getGrant('group:b:member:group:a')!;
    expect(touched.expansion).toEqual({ entitlementIds: ['group:a:member'], shallow: true });
    expect(touched.grant.sources?.sources).toEqual({
      'group:b:member': { isDirect: true },
      'group:c:member': {},
    });
    expect(hasAnnotation(touched.grant.annotations, 'GrantExpandable')).toBe(false);
    expect(holders(store, 'group:b:member')).toEqual(['group:a', 'group:c', 'user:u1']);
  });

  it('pages through source grants without missing any', async () => {
    const members = Array.from(
      { length: 23 },
      (_, i) => ['group:a:member', `user:u${i}`] as [string, string],
    );
    const store = seed(
      ['group:a:member', 'role:r:assigned'],
      [...members, ['role:r:assigned', 'group:a', { via: ['group:a:member'] }]],
    );
    const { result } = await expand(store, { batchSize: 5 });
    expect(result.createdGrants).toBe(23);
    expect(holders(store, 'role:r:assigned')).toHaveLength(24);
  });

  it('is idempotent: a second run derives nothing new', async () => {
    const store = seed(
      ['group:a:member', 'role:r:assigned'],
      [
        ['group:a:member', 'user:u1'],
        ['role:r:assigned', 'group:a', { via: ['group:a:member'] }],
      ],
    );
    await expand(store);
    const { result } = await expand(store);
    expect(result).toMatchObject({ createdGrants: 0, updatedGrants: 0 });
  });
});
