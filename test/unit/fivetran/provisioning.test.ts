import { ConnectorRegistry, findAnnotation, resourceId } from '../../../src/connector/index.js';
import { startFakeFivetran, type FakeFivetran } from '../../fakes/fivetran/index.js';
import { addPlainUser, connectorFor, ent, grantOf, opts, res } from './support.js';

describe('Fivetran provisioning', () => {
  let fake: FakeFivetran;
  let reg: ConnectorRegistry;
  beforeAll(async () => {
    fake = await startFakeFivetran();
    reg = new ConnectorRegistry(connectorFor(fake).connector);
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  const writes = () => fake.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
  let added = 0;
  /** A new active user with no role, group or team, so each test changes its own user. */
  const freshUser = () => addPlainUser(fake, ++added, 'fresh', 'Fresh');

  describe('role:<r>:assigned', () => {
    it('patches a user’s role once, then reports the grant as already there', async () => {
      const u = freshUser();
      const e = ent('role', 'Account Billing', 'assigned');
      const first = await reg.provisioner('role').grant(res('user', u.id), e, opts());
      expect(first.alreadyExists).toBeUndefined();
      expect(first.grants?.[0]?.id).toBe(`role:Account Billing:assigned:user:${u.id}`);
      expect(fake.state.users.get(u.id)?.role).toBe('Account Billing');
      const second = await reg.provisioner('role').grant(res('user', u.id), e, opts());
      expect(second.alreadyExists).toBe(true);
      expect(writes()).toEqual([`PATCH /v1/users/${u.id}`]);
      expect(fake.requests.find((r) => r.method === 'PATCH')?.body).toEqual({ role: 'Account Billing' });
    });

    it('removes the role only while the user still holds it', async () => {
      const u = freshUser();
      fake.state.users.get(u.id)!.role = 'Account Reviewer';
      const p = res('user', u.id);
      const other = await reg
        .provisioner('role')
        .revoke(grantOf(ent('role', 'Account Billing', 'assigned'), p), opts());
      expect(other.alreadyRevoked).toBe(true);
      const g = grantOf(ent('role', 'Account Reviewer', 'assigned'), p);
      expect((await reg.provisioner('role').revoke(g, opts())).alreadyRevoked).toBeUndefined();
      expect(fake.state.users.get(u.id)?.role).toBeNull();
      expect((await reg.provisioner('role').revoke(g, opts())).alreadyRevoked).toBe(true);
      expect(writes()).toEqual([`DELETE /v1/users/${u.id}/role`]);
    });

    it('grants and revokes a team’s account role, expandable to its members', async () => {
      const t = fake.dataset.teams.find((x) => x.role === null)!;
      const e = ent('role', 'Account Analyst', 'assigned');
      const p = res('team', t.id);
      const r = await reg.provisioner('role').grant(p, e, opts());
      expect(findAnnotation(r.grants?.[0]?.annotations, 'GrantExpandable')?.entitlementIds).toEqual([
        `team:${t.id}:member`,
      ]);
      expect(fake.state.teams.get(t.id)?.role).toBe('Account Analyst');
      expect((await reg.provisioner('role').grant(p, e, opts())).alreadyExists).toBe(true);
      expect((await reg.provisioner('role').revoke(grantOf(e, p), opts())).alreadyRevoked).toBeUndefined();
      expect((await reg.provisioner('role').revoke(grantOf(e, p), opts())).alreadyRevoked).toBe(true);
      expect(fake.state.teams.get(t.id)?.role).toBeNull();
      expect(writes()).toEqual([`PATCH /v1/teams/${t.id}`, `DELETE /v1/teams/${t.id}/role`]);
    });

    it('rejects unknown roles and unsupported principal types before any write', async () => {
      const u = freshUser();
      await expect(
        reg
          .provisioner('role')
          .grant(res('user', u.id), ent('role', 'Manage Destination', 'assigned'), opts()),
      ).rejects.toMatchObject({ code: 3, message: expect.stringContaining('not a current account role') });
      await expect(
        reg.provisioner('role').grant(res('group', 'g1'), ent('role', 'Account Billing', 'assigned'), opts()),
      ).rejects.toMatchObject({
        code: 3,
        message: expect.stringContaining(
          'grant role:Account Billing:assigned for group:g1: principal type "group"',
        ),
      });
      expect(writes()).toEqual([]);
    });

    it('answers NOT_FOUND when granting to a user that does not exist', async () => {
      await expect(
        reg
          .provisioner('role')
          .grant(res('user', 'gone_user'), ent('role', 'Account Billing', 'assigned'), opts()),
      ).rejects.toMatchObject({ code: 5 });
    });
  });

  describe('group:<g>:<role>', () => {
    it('adds a user, changes the role with PATCH, and revokes only the current role', async () => {
      const u = freshUser();
      const g = fake.dataset.groups[0]!;
      const p = res('user', u.id);
      const view = ent('group', g.id, 'View Destination');
      const manage = ent('group', g.id, 'Manage Destination');
      const prov = reg.provisioner('group');
      expect((await prov.grant(p, view, opts())).alreadyExists).toBeUndefined();
      expect((await prov.grant(p, view, opts())).alreadyExists).toBe(true);
      expect((await prov.grant(p, manage, opts())).grants?.[0]?.id).toBe(
        `group:${g.id}:Manage Destination:user:${u.id}`,
      );
      expect(fake.state.userGroups.get(u.id)?.get(g.id)?.role).toBe('Manage Destination');
      expect((await prov.revoke(grantOf(view, p), opts())).alreadyRevoked).toBe(true);
      expect((await prov.revoke(grantOf(manage, p), opts())).alreadyRevoked).toBeUndefined();
      expect((await prov.revoke(grantOf(manage, p), opts())).alreadyRevoked).toBe(true);
      expect(fake.state.userGroups.get(u.id)?.has(g.id)).toBe(false);
      expect(writes()).toEqual([
        `POST /v1/users/${u.id}/groups`,
        `PATCH /v1/users/${u.id}/groups/${g.id}`,
        `DELETE /v1/users/${u.id}/groups/${g.id}`,
      ]);
      expect(fake.requests.find((r) => r.method === 'POST')?.body).toEqual({
        id: g.id,
        role: 'View Destination',
      });
    });

    it('treats a deprecated role name as its replacement', async () => {
      const m = fake.dataset.groupMemberships.find((x) => x.role === 'Destination Administrator')!;
      const r = await reg
        .provisioner('group')
        .grant(res('user', m.user_id), ent('group', m.group_id, 'Manage Destination'), opts());
      expect(r.alreadyExists).toBe(true);
      expect(writes()).toEqual([]);
    });

    it('grants a group role to a team with the team’s members as expansion source', async () => {
      const t = fake.dataset.teams[3]!;
      const g = fake.dataset.groups.find((x) => !fake.state.teamGroups.get(t.id)?.has(x.id))!;
      const e = ent('group', g.id, 'Edit Destination');
      const p = res('team', t.id);
      const r = await reg.provisioner('group').grant(p, e, opts());
      expect(r.grants?.[0]).toMatchObject({
        id: `group:${g.id}:Edit Destination:team:${t.id}`,
        annotations: [expect.objectContaining({ entitlementIds: [`team:${t.id}:member`] })],
      });
      expect((await reg.provisioner('group').grant(p, e, opts())).alreadyExists).toBe(true);
      expect((await reg.provisioner('group').revoke(grantOf(e, p), opts())).alreadyRevoked).toBeUndefined();
      expect((await reg.provisioner('group').revoke(grantOf(e, p), opts())).alreadyRevoked).toBe(true);
      expect(writes()).toEqual([`POST /v1/teams/${t.id}/groups`, `DELETE /v1/teams/${t.id}/groups/${g.id}`]);
    });

    it('rejects a slug that is not a current destination role', async () => {
      const g = fake.dataset.groups[0]!;
      await expect(
        reg
          .provisioner('group')
          .grant(res('user', 'x'), ent('group', g.id, 'Destination Administrator'), opts()),
      ).rejects.toMatchObject({ code: 3 });
    });
  });

  describe('team:<t>:member and manager', () => {
    it('adds a member, promotes to manager, demotes and removes, each idempotently', async () => {
      const u = freshUser();
      const t = fake.dataset.teams[1]!;
      const p = res('user', u.id);
      const member = ent('team', t.id, 'member');
      const manager = ent('team', t.id, 'manager');
      const prov = reg.provisioner('team');
      expect((await prov.grant(p, member, opts())).grants?.[0]?.id).toBe(`team:${t.id}:member:user:${u.id}`);
      expect((await prov.grant(p, member, opts())).alreadyExists).toBe(true);
      expect((await prov.revoke(grantOf(manager, p), opts())).alreadyRevoked).toBe(true);
      expect((await prov.grant(p, manager, opts())).alreadyExists).toBeUndefined();
      expect(fake.state.teamUsers.get(t.id)?.get(u.id)?.role).toBe('Team Manager');
      expect((await prov.grant(p, manager, opts())).alreadyExists).toBe(true);
      expect((await prov.revoke(grantOf(manager, p), opts())).alreadyRevoked).toBeUndefined();
      expect(fake.state.teamUsers.get(t.id)?.get(u.id)?.role).toBe('Team Member');
      expect((await prov.revoke(grantOf(member, p), opts())).alreadyRevoked).toBeUndefined();
      expect((await prov.revoke(grantOf(member, p), opts())).alreadyRevoked).toBe(true);
      expect(fake.state.teamUsers.get(t.id)?.has(u.id)).toBe(false);
      expect(writes()).toEqual([
        `POST /v1/teams/${t.id}/users`,
        `PATCH /v1/teams/${t.id}/users/${u.id}`,
        `PATCH /v1/teams/${t.id}/users/${u.id}`,
        `DELETE /v1/teams/${t.id}/users/${u.id}`,
      ]);
      expect(
        fake.requests.filter((r) => r.method !== 'GET' && r.method !== 'DELETE').map((r) => r.body),
      ).toEqual([{ user_id: u.id, role: 'Team Member' }, { role: 'Team Manager' }, { role: 'Team Member' }]);
    });

    it('adds a non-member straight in as Team Manager', async () => {
      const u = freshUser();
      const t = fake.dataset.teams[2]!;
      await reg.provisioner('team').grant(res('user', u.id), ent('team', t.id, 'manager'), opts());
      expect(fake.requests.find((r) => r.method === 'POST')?.body).toEqual({
        user_id: u.id,
        role: 'Team Manager',
      });
    });

    it('refuses teams as principals and unknown slugs', async () => {
      const t = fake.dataset.teams[0]!;
      await expect(
        reg.provisioner('team').grant(res('team', 'other'), ent('team', t.id, 'member'), opts()),
      ).rejects.toMatchObject({ code: 3, message: expect.stringContaining('principal type "team"') });
      await expect(
        reg.provisioner('team').grant(res('user', 'x'), ent('team', t.id, 'owner'), opts()),
      ).rejects.toMatchObject({ code: 3 });
      expect(fake.requestCount()).toBe(0);
    });
  });

  describe('accounts', () => {
    const profile = (fields: Record<string, string>) => ({
      fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { stringValue: v }])),
    });

    it('invites a new user with an account role', async () => {
      const r = await reg.accountManager('user').createAccount(
        {
          profile: profile({
            email: 'new.person@example.com',
            given_name: 'New',
            family_name: 'Person',
            role: 'Account Reviewer',
          }),
        },
        opts(),
      );
      expect(r.kind).toBe('success');
      const created = fake.state.userByEmail('new.person@example.com')!;
      expect(r.kind === 'success' && r.resource.id).toEqual({ resourceType: 'user', resource: created.id });
      expect(created.role).toBe('Account Reviewer');
      expect(fake.requests.find((x) => x.method === 'POST')?.body).toEqual({
        email: 'new.person@example.com',
        given_name: 'New',
        family_name: 'Person',
        role: 'Account Reviewer',
      });
    });

    it('answers already_exists with the existing user for a known email in any case', async () => {
      const existing = fake.dataset.users[6]!;
      const r = await reg.accountManager('user').createAccount(
        {
          emails: [{ address: existing.email.toUpperCase(), isPrimary: true }],
          profile: profile({ given_name: 'X', family_name: 'Y' }),
        },
        opts(),
      );
      expect(r).toMatchObject({ kind: 'already_exists', resource: { id: { resource: existing.id } } });
    });

    it('validates fields and the role before calling Fivetran', async () => {
      const am = reg.accountManager('user');
      await expect(
        am.createAccount({ profile: profile({ email: 'a@b.co', given_name: 'A' }) }, opts()),
      ).rejects.toMatchObject({ code: 3, message: expect.stringContaining('"family_name" is required') });
      await expect(
        am.createAccount(
          { profile: profile({ email: 'a@b.co', given_name: 'A', family_name: 'B', role: 'Team Manager' }) },
          opts(),
        ),
      ).rejects.toMatchObject({ code: 3, message: expect.stringContaining('is not an account role') });
      expect(writes()).toEqual([]);
    });

    it('deletes a user once and reports the second delete as already done', async () => {
      const u = freshUser();
      const d = reg.deleter('user');
      expect(await d.deleteResource(resourceId('user', u.id), undefined, opts())).toEqual({});
      expect(fake.state.users.has(u.id)).toBe(false);
      expect(await d.deleteResource(resourceId('user', u.id), undefined, opts())).toEqual({
        alreadyDeleted: true,
      });
    });

    it('refuses to delete the user who owns the API key', async () => {
      const owner = fake.dataset.adminUserId;
      await expect(
        reg.deleter('user').deleteResource(resourceId('user', owner), undefined, opts()),
      ).rejects.toMatchObject({ code: 9, message: expect.stringContaining('owns the configured API key') });
      expect(fake.state.users.has(owner)).toBe(true);
      expect(writes()).toEqual([]);
    });
  });

  it('surfaces a missing write permission as PERMISSION_DENIED with the scope hint', async () => {
    const ro = new ConnectorRegistry(connectorFor(fake, 'readOnlySystem').connector);
    const u = freshUser();
    await expect(
      ro
        .provisioner('team')
        .grant(res('user', u.id), ent('team', fake.dataset.teams[0]!.id, 'member'), opts()),
    ).rejects.toMatchObject({ code: 7, message: expect.stringContaining('TEAM:MANAGE (system key)') });
  });
});
