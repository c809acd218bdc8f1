import {
  ConnectorRegistry,
  findAnnotation,
  fromStruct,
  type Entitlement,
  type Grant,
  type Resource,
} from '../../../src/connector/index.js';
import { startFakeFivetran, type FakeFivetran } from '../../fakes/fivetran/index.js';
import { connectorFor, drain, signal } from './support.js';

const REPLACED: Record<string, string> = {
  'Destination Administrator': 'Manage Destination',
  'Destination Reviewer': 'View Destination',
};
const current = (role: string) => REPLACED[role] ?? role;
const ACCOUNT_ROLES = [
  'Account Administrator',
  'Account Billing',
  'Account Analyst',
  'Account Reviewer',
  'Destination Creator',
  'Compliance Auditor',
];
const DESTINATION_ROLES = ['Manage Destination', 'Edit Destination', 'View Destination', 'Create Connection'];

describe('Fivetran syncers', () => {
  let fake: FakeFivetran;
  let reg: ConnectorRegistry;
  beforeAll(async () => {
    fake = await startFakeFivetran();
    reg = new ConnectorRegistry(connectorFor(fake).connector);
  });
  afterAll(() => fake.close());

  const list = (type: string) =>
    drain((pageToken) => reg.syncer(type).list(undefined, { pageToken, pageSize: 0, signal: signal() }));
  const grants = (type: string, r: Resource) =>
    drain<Grant>((pageToken) => reg.syncer(type).grants(r, { pageToken, pageSize: 0, signal: signal() }));
  const entitlements = async (type: string, r: Resource): Promise<Entitlement[]> =>
    (
      await drain((pageToken) =>
        reg.syncer(type).entitlements(r, { pageToken, pageSize: 0, signal: signal() }),
      )
    ).items;

  it('declares the six resource types with their traits and capabilities', () => {
    const caps = reg.capabilities().resourceTypeCapabilities.map((c) => [c.resourceType.id, c.capabilities]);
    expect(caps).toEqual([
      ['connection', ['CAPABILITY_SYNC', 'CAPABILITY_TARGETED_SYNC', 'CAPABILITY_PROVISION']],
      ['group', ['CAPABILITY_SYNC', 'CAPABILITY_TARGETED_SYNC', 'CAPABILITY_PROVISION']],
      ['role', ['CAPABILITY_SYNC', 'CAPABILITY_TARGETED_SYNC', 'CAPABILITY_PROVISION']],
      ['system_key', ['CAPABILITY_SYNC', 'CAPABILITY_SYNC_SECRETS']],
      ['team', ['CAPABILITY_SYNC', 'CAPABILITY_TARGETED_SYNC', 'CAPABILITY_PROVISION']],
      [
        'user',
        [
          'CAPABILITY_SYNC',
          'CAPABILITY_TARGETED_SYNC',
          'CAPABILITY_ACCOUNT_PROVISIONING',
          'CAPABILITY_RESOURCE_DELETE',
        ],
      ],
    ]);
    // Sorted by enum value, as the SDK sorts the connector-level list (9, 11 and 13 last).
    expect(reg.capabilities().connectorCapabilities).toEqual([
      'CAPABILITY_PROVISION',
      'CAPABILITY_SYNC',
      'CAPABILITY_ACCOUNT_PROVISIONING',
      'CAPABILITY_RESOURCE_DELETE',
      'CAPABILITY_SYNC_SECRETS',
      'CAPABILITY_TARGETED_SYNC',
      'CAPABILITY_SERVICE_MODE_TARGETED_SYNC',
    ]);
    expect(reg.syncer('connection').resourceType).toEqual({ id: 'connection', displayName: 'Connection' });
    expect(reg.syncer('system_key').resourceType).toEqual({
      id: 'system_key',
      displayName: 'System Key',
      traits: ['TRAIT_SECRET'],
    });
    expect(reg.syncer('user').resourceType).toEqual({
      id: 'user',
      displayName: 'User',
      traits: ['TRAIT_USER'],
      annotations: [{ '@type': 'type.googleapis.com/c1.connector.v2.SkipEntitlementsAndGrants' }],
    });
    expect(reg.syncer('team').resourceType.traits).toEqual(['TRAIT_GROUP']);
    expect(reg.syncer('role').resourceType.traits).toEqual(['TRAIT_ROLE']);
    expect(reg.metadata()).toMatchObject({
      displayName: 'Fivetran',
      capabilities: {
        credentialDetails: {
          capabilityAccountProvisioning: {
            supportedCredentialOptions: ['CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD'],
            preferredCredentialOption: 'CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD',
          },
        },
      },
    });
    const fields = reg.metadata().accountCreationSchema?.fieldMap ?? {};
    expect(Object.entries(fields).map(([k, f]) => [k, f.required, f.order])).toEqual([
      ['email', true, 1],
      ['given_name', true, 2],
      ['family_name', true, 3],
      ['role', false, 4],
    ]);
  });

  it('maps users to resources with the user trait, profile and status', async () => {
    const { items } = await list('user');
    expect(items).toHaveLength(fake.dataset.users.length);
    const byId = new Map(items.map((r) => [r.id.resource, r]));
    const admin = fake.dataset.users[0]!;
    const r = byId.get(admin.id)!;
    expect(r.id).toEqual({ resourceType: 'user', resource: admin.id });
    expect(r.displayName).toBe(`${admin.given_name} ${admin.family_name}`);
    expect(r.status).toEqual({ status: 'RESOURCE_STATUS_ENABLED' });
    const trait = findAnnotation(r.annotations, 'UserTrait')!;
    expect(trait).toMatchObject({
      emails: [{ address: admin.email, isPrimary: true }],
      login: admin.email,
      status: { status: 'STATUS_ENABLED' },
      accountType: 'ACCOUNT_TYPE_HUMAN',
      structuredName: { givenName: admin.given_name, familyName: admin.family_name },
    });
    expect(fromStruct(r.profile)).toEqual({
      email: admin.email,
      given_name: admin.given_name,
      family_name: admin.family_name,
      first_name: admin.given_name,
      last_name: admin.family_name,
      user_id: admin.id,
      role: 'Account Administrator',
      invited: false,
      verified: true,
      active: true,
      pending_invitation: false,
    });
    const service = byId.get(fake.dataset.serviceAccountUserId)!;
    expect(findAnnotation(service.annotations, 'UserTrait')?.accountType).toBe('ACCOUNT_TYPE_SERVICE');
    const suspended = byId.get(fake.dataset.users[3]!.id)!;
    expect(suspended.status?.status).toBe('RESOURCE_STATUS_DISABLED');
    expect(findAnnotation(suspended.annotations, 'UserTrait')?.status).toEqual({ status: 'STATUS_DISABLED' });
    expect(fromStruct(suspended.profile).role).toBe('');
    const invited = byId.get(fake.dataset.users[4]!.id)!;
    // A pending invitation: invited and not verified yet, though already `active`.
    expect(fromStruct(invited.profile)).toMatchObject({
      invited: true,
      verified: false,
      active: true,
      pending_invitation: true,
    });
    expect(findAnnotation(invited.annotations, 'UserTrait')?.lastLogin).toBeUndefined();
    expect(findAnnotation(r.annotations, 'UserTrait')?.createdAt).toEqual(r.createdAt);
  });

  it('lists account roles only, keyed by name, with one assigned entitlement each', async () => {
    const { items } = await list('role');
    expect(items.map((r) => r.id.resource).sort()).toEqual([...ACCOUNT_ROLES].sort());
    const custom = items.find((r) => r.id.resource === 'Compliance Auditor')!;
    expect(custom.displayName).toBe('Compliance Auditor');
    expect(custom.description).toBe('Custom role: reviews users and access.');
    expect(fromStruct(custom.profile)).toEqual({
      name: 'Compliance Auditor',
      is_custom: true,
      scope: ['ACCOUNT'],
    });
    expect(findAnnotation(custom.annotations, 'RoleTrait')).toBeDefined();
    const [ent] = await entitlements('role', custom);
    expect(ent).toMatchObject({
      id: 'role:Compliance Auditor:assigned',
      slug: 'assigned',
      purpose: 'PURPOSE_VALUE_ASSIGNMENT',
      displayName: 'Fivetran role Compliance Auditor assigned',
      resource: custom,
    });
    expect(ent?.grantableTo?.map((t) => t.id)).toEqual(['user', 'team']);
    expect(ent?.grantableTo?.[0]?.traits).toEqual(['TRAIT_USER']);
  });

  it('emits every role grant in one type-level pass over users then teams', async () => {
    const syncer = reg.syncer('role');
    const { items, pages } = await drain((pageToken) =>
      syncer.typeGrants!({ pageToken, pageSize: 0, signal: signal() }),
    );
    expect(pages).toBe(2);
    const expected = [
      ...fake.dataset.users.filter((u) => u.role).map((u) => `role:${u.role}:assigned:user:${u.id}`),
      ...fake.dataset.teams.filter((t) => t.role).map((t) => `role:${t.role}:assigned:team:${t.id}`),
    ];
    expect(items.map((g) => g.id).sort()).toEqual(expected.sort());
    const teamGrant = items.find((g) => g.principal.id.resourceType === 'team')!;
    expect(teamGrant.annotations).toEqual([
      {
        '@type': 'type.googleapis.com/c1.connector.v2.GrantExpandable',
        entitlementIds: [`team:${teamGrant.principal.id.resource}:member`],
      },
    ]);
    const userGrant = items.find((g) => g.principal.id.resourceType === 'user')!;
    expect(userGrant.annotations).toBeUndefined();
    expect(userGrant.entitlement.resource.id.resourceType).toBe('role');

    const reviewer = (await list('role')).items.find((r) => r.id.resource === 'Account Reviewer')!;
    const only = await grants('role', reviewer);
    expect(only.items.length).toBeGreaterThan(0);
    expect(only.items.every((g) => g.entitlement.id === 'role:Account Reviewer:assigned')).toBe(true);
  });

  it('gives each group one entitlement per current destination role', async () => {
    const { items } = await list('group');
    expect(items).toHaveLength(fake.dataset.groups.length);
    const group = items[0]!;
    const g = fake.dataset.groups[0]!;
    expect(group).toMatchObject({ id: { resourceType: 'group', resource: g.id }, displayName: g.name });
    expect(fromStruct(group.profile)).toEqual({ name: g.name, created_at: g.created_at });
    expect(findAnnotation(group.annotations, 'GroupTrait')).toBeDefined();
    const ents = await entitlements('group', group);
    expect(ents.map((e) => e.slug)).toEqual(DESTINATION_ROLES);
    expect(ents[0]).toMatchObject({
      id: `group:${g.id}:Manage Destination`,
      purpose: 'PURPOSE_VALUE_PERMISSION',
      displayName: `Fivetran group ${g.name} Manage Destination`,
    });
    expect(ents[0]?.grantableTo?.map((t) => t.id)).toEqual(['user', 'team']);
  });

  it('grants group roles to direct members only, with deprecated role names mapped', async () => {
    const { items: groups } = await list('group');
    const all: string[] = [];
    for (const group of groups) all.push(...(await grants('group', group)).items.map((x) => x.id));
    const expected = fake.dataset.groupMemberships.map(
      (m) => `group:${m.group_id}:${current(m.role)}:user:${m.user_id}`,
    );
    expect(all.sort()).toEqual(expected.sort());
    expect(all.some((id) => id.includes('Destination Administrator'))).toBe(false);
    // Account-level users appear in /groups/{id}/users with a null role and get no grant.
    const admin = fake.dataset.adminUserId;
    const adminDirect = fake.dataset.groupMemberships.filter((m) => m.user_id === admin).length;
    expect(all.filter((id) => id.endsWith(`:user:${admin}`))).toHaveLength(adminDirect);
  });

  it('lists team members, managers and the team’s group roles across phases', async () => {
    const { items: teams } = await list('team');
    expect(teams).toHaveLength(fake.dataset.teams.length);
    const t0 = fake.dataset.teams[0]!;
    const team = teams.find((t) => t.id.resource === t0.id)!;
    expect(team).toMatchObject({ displayName: t0.name, description: t0.description });
    expect(findAnnotation(team.annotations, 'GroupTrait')).toBeDefined();
    const ents = await entitlements('team', team);
    expect(ents.map((e) => [e.id, e.purpose, e.displayName, e.grantableTo?.map((t) => t.id)])).toEqual([
      [`team:${t0.id}:member`, 'PURPOSE_VALUE_ASSIGNMENT', `Fivetran team ${t0.name} member`, ['user']],
      [`team:${t0.id}:manager`, 'PURPOSE_VALUE_PERMISSION', `Fivetran team ${t0.name} manager`, ['user']],
    ]);

    const all: Grant[] = [];
    for (const t of teams) {
      // users, groups, then connections (a caller that does not say the sync has none).
      const { items, pages } = await grants('team', t);
      expect(pages).toBe(3);
      all.push(...items);
    }
    const expected = [
      ...fake.dataset.teamMemberships.flatMap((m) => [
        `team:${m.team_id}:member:user:${m.user_id}`,
        ...(m.role === 'Team Manager' ? [`team:${m.team_id}:manager:user:${m.user_id}`] : []),
      ]),
      ...fake.dataset.teamGroups.map((m) => `group:${m.group_id}:${current(m.role)}:team:${m.team_id}`),
    ];
    expect(all.map((g) => g.id).sort()).toEqual(expected.sort());
    const toGroup = all.find((g) => g.entitlement.resource.id.resourceType === 'group')!;
    const owner = toGroup.principal.id.resource;
    expect(toGroup.principal).toBe(teams.find((t) => t.id.resource === owner));
    expect(findAnnotation(toGroup.annotations, 'GrantExpandable')?.entitlementIds).toEqual([
      `team:${owner}:member`,
    ]);
  });

  it('lists no grants for a team or group deleted since it was listed', async () => {
    const gone: Resource = { id: { resourceType: 'team', resource: 'deleted_team' }, displayName: 'Gone' };
    await expect(grants('team', gone)).resolves.toEqual({ items: [], pages: 3 });
    const goneGroup: Resource = { id: { resourceType: 'group', resource: 'deleted_group' } };
    await expect(grants('group', goneGroup)).resolves.toEqual({ items: [], pages: 1 });
  });

  it('refuses a page token it did not write', async () => {
    const team = (await list('team')).items[0]!;
    await expect(
      reg.syncer('team').grants(team, { pageToken: 'garbage', pageSize: 0, signal: signal() }),
    ).rejects.toMatchObject({ code: 3 });
  });
});
