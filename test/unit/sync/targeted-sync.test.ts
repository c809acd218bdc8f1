import {
  annotations,
  ConnectorRegistry,
  entitlementId,
  grantId,
  resourceId,
  type Grant,
  type Resource,
  type ResourceSyncer,
} from '../../../src/connector/index.js';
import type { TargetResource } from '../../../src/sync/index.js';
import { FakeConnector } from '../../fakes/connector.js';
import { LEVEL, syncInto } from './sync-harness.js';

const target = (type: string, id: string): TargetResource => ({ id: resourceId(type, id) });

/** Users u1..u3, groups g1 g2, teams t1 (u1 manager, u2, ghost) and t2, roles; every type can `get`. */
const account = () =>
  new FakeConnector()
    .addUser('u1')
    .addUser('u2')
    .addUser('u3')
    .addGroup('g1')
    .addGroup('g2')
    .addTeam('t1')
    .addTeam('t2')
    .addRole('Account Reviewer')
    .addRole('Manage Destination', { scopes: ['DESTINATION'] })
    .addTeamMember('t1', 'u1', { isManager: true })
    .addTeamMember('t1', 'u2')
    .addTeamMember('t1', 'ghost')
    .addTeamMember('t2', 'u3')
    .addGroupMember('g1', resourceId('user', 'u3'), 'Manage Destination')
    .addGroupMember('g1', resourceId('team', 't1'), 'Manage Destination')
    .assignRole('Account Reviewer', resourceId('team', 't1'))
    .useGet('user', 'group', 'team', 'role');

/** A grant of `group:<g>:Manage Destination` to team t1, as a team's syncer lists its group roles. */
const teamGroupGrant = (groupId: string): Grant => {
  const group: Resource = { id: resourceId('group', groupId) };
  const ent = entitlementId(group, 'Manage Destination');
  const team = resourceId('team', 't1');
  return {
    id: grantId(ent, team),
    entitlement: { id: ent, resource: group },
    principal: { id: team },
    annotations: [annotations.grantExpandable([entitlementId(team, 'member')])],
  };
};

describe('a targeted sync', () => {
  it('writes a partial sync of the target alone: its entitlements and the grants on it, nothing listed', async () => {
    const fake = account();
    const { store, summary } = await syncInto(fake, {
      options: { targetedResources: [target('team', 't1')] },
    });
    expect(store.syncType).toBe('partial');
    expect(summary.syncType).toBe('partial');
    expect(store.isEnded).toBe(true);
    // Every type is declared, as the SDK's SyncResourceTypesOp does before the targets.
    expect(store.resourceTypes().map((t) => t.id)).toEqual(['user', 'group', 'team', 'role']);
    expect(store.resources().map((r) => `${r.id.resourceType}:${r.id.resource}`)).toEqual(['team:t1']);
    expect(store.entitlements().map((e) => e.id)).toEqual(['team:t1:member', 'team:t1:manager']);
    // Principals outside the partial sync are kept as the connector named them (the full sync drops them).
    expect(store.grantIds()).toEqual([
      'team:t1:manager:user:u1',
      'team:t1:member:user:ghost',
      'team:t1:member:user:u1',
      'team:t1:member:user:u2',
    ]);
    const u1 = store.grants().find((g) => g.grant.id === 'team:t1:member:user:u1')!;
    expect(u1.grant.principal).toEqual({ id: resourceId('user', 'u1') });
    expect(fake.calls.map((c) => [c.method, c.resourceId ?? ''])).toEqual([
      ['validate', ''],
      ['get', 'team:t1'],
      ['entitlements', 'team:t1'],
      ['grants', 'team:t1'],
    ]);
    // No expansion in a partial sync, and so no supports_diff.
    expect(summary.expandedGrants).toBe(0);
    expect(store.supportsDiff).toBe(false);
  });

  it('lists no grants for a type that skips them (users) and nothing for grants where the target is the principal', async () => {
    const fake = account();
    const { store } = await syncInto(fake, { options: { targetedResources: [target('user', 'u3')] } });
    expect(store.resources().map((r) => r.id.resource)).toEqual(['u3']);
    // u3 holds t2:member and a g1 role, but those are grants on the team and the group, not on the user.
    expect(store.grantIds()).toEqual([]);
    expect(store.entitlements()).toEqual([]);
    expect(fake.calls.map((c) => c.method)).toEqual(['validate', 'get']);
  });

  it('fetches an entitlement resource its grants name once, and keeps the grant when that resource is gone', async () => {
    const fake = account();
    fake.intercept('grants', 'team', (p) => ({
      ...p,
      items: [
        ...p.items,
        teamGroupGrant('g1'),
        teamGroupGrant('g1'),
        teamGroupGrant('gone'),
        teamGroupGrant('gone'),
      ],
    }));
    const { store, lines } = await syncInto(fake, { options: { targetedResources: [target('team', 't1')] } });
    expect(store.resources().map((r) => `${r.id.resourceType}:${r.id.resource}`)).toEqual([
      'team:t1',
      'group:g1',
    ]);
    expect(store.resources('group')[0]!.displayName).toBe('g1');
    expect(store.grantIds()).toContain('group:g1:Manage Destination:team:t1');
    expect(store.grantIds()).toContain('group:gone:Manage Destination:team:t1');
    // Only the target's entitlements: the related group's are not listed (as the SDK).
    expect(store.entitlements().map((e) => e.resource.id.resourceType)).toEqual(['team', 'team']);
    const gets = fake.calls.filter((c) => c.method === 'get').map((c) => c.resourceId);
    expect(gets).toEqual(['team:t1', 'group:g1', 'group:gone']);
    const warn = lines.find((l) => l.msg === 'skipping related resource: not found; kept the grant');
    expect(warn).toMatchObject({ level: LEVEL.warn, resourceId: 'group:gone' });
    // The team's grant keeps its expansion instructions for C1.
    const stored = store.grants().find((g) => g.grant.id === 'group:g1:Manage Destination:team:t1')!;
    expect(stored.expansion?.entitlementIds).toEqual(['team:t1:member']);
    // A principal this sync holds (the target itself) is written in full.
    expect(stored.grant.principal).toMatchObject({ id: resourceId('team', 't1'), displayName: 't1' });
  });

  it('stores the resources of an InsertResourceGrants page as given, fetching nothing', async () => {
    const fake = account();
    fake.intercept('grants', 'team', (p) => ({
      ...p,
      items: [teamGroupGrant('g9')],
      annotations: [annotations.insertResourceGrants()],
    }));
    const { store } = await syncInto(fake, { options: { targetedResources: [target('team', 't1')] } });
    expect(store.resources().map((r) => `${r.id.resourceType}:${r.id.resource}`)).toEqual([
      'team:t1',
      'group:g9',
    ]);
    expect(fake.calls.filter((c) => c.method === 'get').map((c) => c.resourceId)).toEqual(['team:t1']);
    expect(store.grantIds()).toEqual(['group:g9:Manage Destination:team:t1']);
  });

  it('stores and counts a resource that several grants of an InsertResourceGrants page name once', async () => {
    const fake = account();
    const toTeam = teamGroupGrant('g9');
    const toUser: Grant = {
      ...toTeam,
      id: 'group:g9:Manage Destination:user:u1',
      principal: { id: resourceId('user', 'u1') },
    };
    fake.intercept('grants', 'team', (p) => ({
      ...p,
      items: [toTeam, toUser],
      annotations: [annotations.insertResourceGrants()],
    }));
    const { store, summary } = await syncInto(fake, {
      options: { targetedResources: [target('team', 't1')] },
    });
    expect(store.resources('group')).toHaveLength(1);
    expect(summary.byResourceType['group']).toMatchObject({ resources: 1, grants: 2 });
  });

  it('skips a target that does not exist with a warning and still finishes the partial sync', async () => {
    const fake = account();
    const { store, summary, lines } = await syncInto(fake, {
      options: { targetedResources: [target('team', 'deleted'), target('group', 'g2')] },
    });
    expect(summary.syncType).toBe('partial');
    expect(store.isEnded).toBe(true);
    expect(store.resources().map((r) => `${r.id.resourceType}:${r.id.resource}`)).toEqual(['group:g2']);
    const warn = lines.find((l) => l.msg === 'skipping targeted resource: not found');
    expect(warn).toMatchObject({ level: LEVEL.warn, resourceId: 'team:deleted' });
    expect(fake.calls.filter((c) => c.resourceId === 'team:deleted').map((c) => c.method)).toEqual(['get']);
  });

  it('skips targets of a type that cannot get one resource, or of a type the sync leaves out', async () => {
    const fake = new FakeConnector().addUser('u1').addTeam('t1').addGroup('g1').useGet('team');
    const { store, lines } = await syncInto(fake, {
      options: {
        targetedResources: [target('user', 'u1'), target('team', 't1'), target('group', 'g1')],
        resourceTypeIds: ['user', 'group'],
      },
    });
    expect(store.resources()).toEqual([]);
    expect(store.resourceTypes().map((t) => t.id)).toEqual(['user', 'group']);
    const skipped = lines.filter((l) => l.level === LEVEL.warn).map((l) => [l.msg, l.resourceId]);
    expect(skipped).toEqual(
      expect.arrayContaining([
        ['skipping targeted resource: its resource type is not being synced', 'team:t1'],
        ['skipping targeted resource: its type cannot fetch a single resource', 'user:u1'],
        ['skipping targeted resource: its type cannot fetch a single resource', 'group:g1'],
      ]),
    );
    expect(fake.calls.map((c) => c.method)).toEqual(['validate']);
  });

  it('syncs a target named twice once', async () => {
    const fake = account();
    await syncInto(fake, {
      options: {
        targetedResources: [target('team', 't2'), target('team', 't2'), target('role', 'Account Reviewer')],
      },
    });
    const gets = fake.calls.filter((c) => c.method === 'get').map((c) => c.resourceId);
    expect(gets).toEqual(['team:t2', 'role:Account Reviewer']);
  });

  it('honours skip_entitlements_and_grants and skip_grants, staying partial', async () => {
    const fake = account();
    const onlyResources = await syncInto(fake, {
      options: { targetedResources: [target('team', 't1')], skipEntitlementsAndGrants: true },
    });
    expect(onlyResources.summary.syncType).toBe('partial');
    expect(onlyResources.store.entitlements()).toEqual([]);
    expect(onlyResources.store.grantIds()).toEqual([]);
    const noGrants = await syncInto(account(), {
      options: { targetedResources: [target('team', 't1')], skipGrants: true },
    });
    expect(noGrants.store.entitlements()).toHaveLength(2);
    expect(noGrants.store.grantIds()).toEqual([]);
  });

  it('lists the child resources a target names (resources only), under that target', async () => {
    const workspaceType = { id: 'workspace', displayName: 'Workspace' };
    const projectType = { id: 'project', displayName: 'Project' };
    const calls: string[] = [];
    const workspace: Resource = {
      id: resourceId('workspace', 'w1'),
      annotations: [
        { '@type': 'type.googleapis.com/c1.connector.v2.ChildResourceType', resourceTypeId: 'project' },
      ],
    };
    const workspaces: ResourceSyncer & { get: unknown } = {
      resourceType: workspaceType,
      list: async () => ({ items: [workspace] }),
      entitlements: async () => ({ items: [] }),
      grants: async () => ({ items: [] }),
      get: async () => workspace,
    };
    const projects: ResourceSyncer = {
      resourceType: projectType,
      list: async (parent) => {
        calls.push(`list projects under ${parent?.resource ?? '-'}`);
        return { items: parent ? [{ id: resourceId('project', 'p1'), parentResourceId: parent }] : [] };
      },
      entitlements: async () => {
        calls.push('project entitlements');
        return { items: [] };
      },
      grants: async () => ({ items: [] }),
    };
    const fake = new FakeConnector().addSyncer(workspaces).addSyncer(projects);
    const { store } = await syncInto(fake, { options: { targetedResources: [target('workspace', 'w1')] } });
    expect(store.resources().map((r) => `${r.id.resourceType}:${r.id.resource}`)).toEqual([
      'workspace:w1',
      'project:p1',
    ]);
    expect(calls).toEqual(['list projects under w1']);
  });

  it('advertises TARGETED_SYNC on types that can get, SERVICE_MODE_TARGETED_SYNC on the connector', () => {
    const caps = new ConnectorRegistry(new FakeConnector().useGet('team')).capabilities();
    const byType = Object.fromEntries(
      caps.resourceTypeCapabilities.map((c) => [c.resourceType.id, c.capabilities]),
    );
    expect(byType['team']).toEqual(['CAPABILITY_SYNC', 'CAPABILITY_TARGETED_SYNC']);
    expect(byType['user']).toEqual(['CAPABILITY_SYNC']);
    expect(caps.connectorCapabilities).toEqual([
      'CAPABILITY_SYNC',
      'CAPABILITY_TARGETED_SYNC',
      'CAPABILITY_SERVICE_MODE_TARGETED_SYNC',
    ]);
    const none = new ConnectorRegistry(new FakeConnector()).capabilities();
    expect(none.connectorCapabilities).toEqual(['CAPABILITY_SYNC']);
  });

  it('refuses a target without a type or id before any call', async () => {
    const fake = account();
    await expect(
      syncInto(fake, { options: { targetedResources: [{ id: resourceId('team', '') }] } }),
    ).rejects.toMatchObject({ code: 3 });
    expect(fake.calls).toEqual([]);
  });
});
