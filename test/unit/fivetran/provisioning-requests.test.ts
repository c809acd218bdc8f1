import { ConnectorRegistry, type CallOptions } from '../../../src/connector/index.js';
import {
  FivetranApi,
  type FivetranMembership,
  type FivetranTeamUser,
  type MembershipRef,
} from '../../../src/fivetran/api.js';
import type { FivetranContext } from '../../../src/fivetran/fivetran-context.js';
import { KeyOwner } from '../../../src/fivetran/key-owner.js';
import { grantGroupRole } from '../../../src/fivetran/membership-role.js';
import { RoleCatalogue } from '../../../src/fivetran/role-catalogue.js';
import { grantTeamMembership } from '../../../src/fivetran/team-provisioner.js';
import type { FakeFivetran } from '../../fakes/fivetran/index.js';
import {
  addPlainUser,
  clientFor,
  connectorFor,
  ent,
  grantOf,
  opts,
  res,
  useFakeFivetran,
} from './support.js';

// Pins every Fivetran call (reads included) of one grant and one revoke per entitlement kind and principal.

describe('Fivetran provisioning request sequences', () => {
  let fake: FakeFivetran;
  useFakeFivetran((f) => (fake = f));

  const calls = () => fake.requests.map((r) => `${r.status} ${r.method} ${r.path}`);
  /** A fresh connector per case, so the role catalogue read shows up where it happens. */
  const registry = () => new ConnectorRegistry(connectorFor(fake).connector);
  let added = 0;
  const freshUser = () => addPlainUser(fake, ++added, 'seq', 'Seq');

  it('role:<r>:assigned for a user: read, PATCH; read, DELETE role', async () => {
    const u = freshUser();
    const e = ent('role', 'Account Billing', 'assigned');
    const p = res('user', u.id);
    const reg = registry();
    expect(await reg.provisioner('role').grant(p, e, opts())).toEqual({
      grants: [expect.objectContaining({ id: `role:Account Billing:assigned:user:${u.id}` })],
    });
    expect(await reg.provisioner('role').revoke(grantOf(e, p), opts())).toEqual({});
    expect(calls()).toEqual([
      '200 GET /v1/roles',
      `200 GET /v1/users/${u.id}`,
      `200 PATCH /v1/users/${u.id}`,
      `200 GET /v1/users/${u.id}`,
      `200 DELETE /v1/users/${u.id}/role`,
    ]);
  });

  it('role:<r>:assigned for a team: read, PATCH; read, DELETE role', async () => {
    const t = fake.dataset.teams.find((x) => x.role === null)!;
    const e = ent('role', 'Account Analyst', 'assigned');
    const p = res('team', t.id);
    const reg = registry();
    expect((await reg.provisioner('role').grant(p, e, opts())).alreadyExists).toBeUndefined();
    expect(await reg.provisioner('role').revoke(grantOf(e, p), opts())).toEqual({});
    expect(calls()).toEqual([
      '200 GET /v1/roles',
      `200 GET /v1/teams/${t.id}`,
      `200 PATCH /v1/teams/${t.id}`,
      `200 GET /v1/teams/${t.id}`,
      `200 DELETE /v1/teams/${t.id}/role`,
    ]);
  });

  it('role:<r>:assigned for a missing user: one read, then NOT_FOUND naming the grant', async () => {
    await expect(
      registry()
        .provisioner('role')
        .grant(res('user', 'gone_user'), ent('role', 'Account Billing', 'assigned'), opts()),
    ).rejects.toMatchObject({
      code: 5,
      message:
        'baton-fivetran: grant role:Account Billing:assigned to user:gone_user: the user does not exist',
    });
    expect(calls()).toEqual(['200 GET /v1/roles', '404 GET /v1/users/gone_user']);
  });

  it('group:<g>:<role> for a user: read (404), POST; read, DELETE', async () => {
    const u = freshUser();
    const g = fake.dataset.groups[0]!;
    const e = ent('group', g.id, 'View Destination');
    const p = res('user', u.id);
    const reg = registry();
    expect((await reg.provisioner('group').grant(p, e, opts())).grants?.[0]?.id).toBe(
      `group:${g.id}:View Destination:user:${u.id}`,
    );
    expect(await reg.provisioner('group').revoke(grantOf(e, p), opts())).toEqual({});
    expect(calls()).toEqual([
      '200 GET /v1/roles',
      `404 GET /v1/users/${u.id}/groups/${g.id}`,
      `201 POST /v1/users/${u.id}/groups`,
      `200 GET /v1/users/${u.id}/groups/${g.id}`,
      `200 DELETE /v1/users/${u.id}/groups/${g.id}`,
    ]);
  });

  it('group:<g>:<role> for a team: read (404), POST; read, DELETE', async () => {
    const t = fake.dataset.teams[3]!;
    const g = fake.dataset.groups.find((x) => !fake.state.teamGroups.get(t.id)?.has(x.id))!;
    const e = ent('group', g.id, 'Edit Destination');
    const p = res('team', t.id);
    const reg = registry();
    expect((await reg.provisioner('group').grant(p, e, opts())).alreadyExists).toBeUndefined();
    expect(await reg.provisioner('group').revoke(grantOf(e, p), opts())).toEqual({});
    expect(calls()).toEqual([
      '200 GET /v1/roles',
      `404 GET /v1/teams/${t.id}/groups/${g.id}`,
      `201 POST /v1/teams/${t.id}/groups`,
      `200 GET /v1/teams/${t.id}/groups/${g.id}`,
      `200 DELETE /v1/teams/${t.id}/groups/${g.id}`,
    ]);
  });

  it('team:<t>:member: read (404), POST; read, DELETE', async () => {
    const u = freshUser();
    const t = fake.dataset.teams[1]!;
    const e = ent('team', t.id, 'member');
    const p = res('user', u.id);
    const reg = registry();
    expect((await reg.provisioner('team').grant(p, e, opts())).grants?.[0]?.id).toBe(
      `team:${t.id}:member:user:${u.id}`,
    );
    expect(await reg.provisioner('team').revoke(grantOf(e, p), opts())).toEqual({});
    expect(calls()).toEqual([
      `404 GET /v1/teams/${t.id}/users/${u.id}`,
      `201 POST /v1/teams/${t.id}/users`,
      `200 GET /v1/teams/${t.id}/users/${u.id}`,
      `200 DELETE /v1/teams/${t.id}/users/${u.id}`,
    ]);
  });

  it('team:<t>:manager for a member: read, PATCH up; read, PATCH down', async () => {
    const u = freshUser();
    const t = fake.dataset.teams[2]!;
    fake.state.setTeamMembership(t.id, u.id, 'Team Member');
    const e = ent('team', t.id, 'manager');
    const p = res('user', u.id);
    const reg = registry();
    expect((await reg.provisioner('team').grant(p, e, opts())).alreadyExists).toBeUndefined();
    expect(await reg.provisioner('team').revoke(grantOf(e, p), opts())).toEqual({});
    expect(calls()).toEqual([
      `200 GET /v1/teams/${t.id}/users/${u.id}`,
      `200 PATCH /v1/teams/${t.id}/users/${u.id}`,
      `200 GET /v1/teams/${t.id}/users/${u.id}`,
      `200 PATCH /v1/teams/${t.id}/users/${u.id}`,
    ]);
    expect(fake.requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([
      { role: 'Team Manager' },
      { role: 'Team Member' },
    ]);
  });

  it('an invite for a known email: POST (409), then the user listing until the email turns up', async () => {
    const existing = fake.dataset.users[6]!;
    const email = { address: existing.email, isPrimary: true };
    const profile = { fields: { given_name: { stringValue: 'X' }, family_name: { stringValue: 'Y' } } };
    const r = await registry()
      .accountManager('user')
      .createAccount({ emails: [email], profile }, opts());
    expect(r).toMatchObject({ kind: 'already_exists', resource: { id: { resource: existing.id } } });
    expect(calls()).toEqual(['200 GET /v1/roles', '409 POST /v1/users', '200 GET /v1/users']);
    expect(fake.requests[2]?.query).toEqual({ limit: '1000' });
  });

  describe('a membership added by someone else between the read and the POST', () => {
    /** Runs `race` once, right after the first membership read has answered "absent". */
    class RacingApi extends FivetranApi {
      race: (() => void) | undefined;
      #afterRead<T>(v: T): T {
        const race = this.race;
        this.race = undefined;
        race?.();
        return v;
      }
      override async getMember(m: MembershipRef, c: CallOptions): Promise<FivetranMembership | undefined> {
        return this.#afterRead(await super.getMember(m, c));
      }
      override async getTeamUser(
        t: string,
        u: string,
        c: CallOptions,
      ): Promise<FivetranTeamUser | undefined> {
        return this.#afterRead(await super.getTeamUser(t, u, c));
      }
    }
    const context = (): { ctx: FivetranContext; api: RacingApi } => {
      const { client, clock, sink } = clientFor(fake, { maxRetries: 0 });
      const log = sink.log;
      const api = new RacingApi(client);
      return {
        api,
        ctx: { api, roles: new RoleCatalogue({ api, clock }), keyOwner: new KeyOwner(api), log },
      };
    };

    it('group role: 409 on POST, re-read finds the same role, reported as already there', async () => {
      const u = freshUser();
      const g = fake.dataset.groups[1]!;
      const { ctx, api } = context();
      api.race = () => fake.state.setGroupMembership(u.id, g.id, 'View Destination');
      const r = await grantGroupRole(ctx, res('user', u.id), ent('group', g.id, 'View Destination'), opts());
      expect(r).toEqual({
        alreadyExists: true,
        grants: [expect.objectContaining({ id: `group:${g.id}:View Destination:user:${u.id}` })],
      });
      expect(calls()).toEqual([
        '200 GET /v1/roles',
        `404 GET /v1/users/${u.id}/groups/${g.id}`,
        `409 POST /v1/users/${u.id}/groups`,
        `200 GET /v1/users/${u.id}/groups/${g.id}`,
      ]);
    });

    it('team manager: 409 on POST, re-read finds a Team Member, PATCHed up', async () => {
      const u = freshUser();
      const t = fake.dataset.teams[0]!;
      const { ctx, api } = context();
      api.race = () => fake.state.setTeamMembership(t.id, u.id, 'Team Member');
      const r = await grantTeamMembership(ctx, res('user', u.id), ent('team', t.id, 'manager'), opts());
      expect(r.alreadyExists).toBeUndefined();
      expect(fake.state.teamUsers.get(t.id)?.get(u.id)?.role).toBe('Team Manager');
      expect(calls()).toEqual([
        `404 GET /v1/teams/${t.id}/users/${u.id}`,
        `409 POST /v1/teams/${t.id}/users`,
        `200 GET /v1/teams/${t.id}/users/${u.id}`,
        `200 PATCH /v1/teams/${t.id}/users/${u.id}`,
      ]);
    });
  });
});
