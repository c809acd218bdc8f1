import {
  ConnectorRegistry,
  encodeMessage,
  findAnnotation,
  fromStruct,
  type Grant,
  type ListRequest,
  type Resource,
} from '../../../src/connector/index.js';
import {
  encodeCursor,
  generateDataset,
  startFakeFivetran,
  type FakeFivetran,
} from '../../fakes/fivetran/index.js';
import { setConnectionMembership } from '../../fakes/fivetran/fake-state.js';
import { addPlainUser, connectorFor, drain, ent, grantOf, opts, res, signal } from './support.js';

// fivetran-model.md "Connections and system keys", against the fake Fivetran.

const REPLACED: Record<string, string> = {
  'Connector Administrator': 'Manage Connection',
  'Connector Reviewer': 'View Connection',
};
const current = (role: string) => REPLACED[role] ?? role;

describe('Fivetran connections and system keys', () => {
  let fake: FakeFivetran;
  let reg: ConnectorRegistry;
  beforeAll(async () => {
    fake = await startFakeFivetran({
      dataset: generateDataset({ seed: 5, users: 30, groups: 4, teams: 3, connections: 12, systemKeys: 4 }),
    });
  });
  beforeEach(() => {
    fake.reset();
    reg = new ConnectorRegistry(connectorFor(fake).connector);
  });
  afterAll(() => fake.close());

  const req = (pageToken?: string, extra: Partial<ListRequest> = {}): ListRequest => ({
    pageSize: 0,
    signal: signal(),
    ...(pageToken ? { pageToken } : {}),
    ...extra,
  });
  const list = (type: string) => drain((t) => reg.syncer(type).list(undefined, req(t)));
  const typeGrants = (counts: Record<string, number>) =>
    drain<Grant>((t) =>
      reg.syncer('connection').typeGrants!(req(t, { resourceCount: (id) => counts[id] ?? 0 })),
    );

  it('lists connections under their group, named by schema, described by service and group name', async () => {
    const { items } = await list('connection');
    expect(items).toHaveLength(12);
    const c0 = fake.dataset.connections[0]!;
    const group = fake.dataset.groups.find((g) => g.id === c0.group_id)!;
    const r = items.find((x) => x.id.resource === c0.id)!;
    expect(r).toMatchObject({
      id: { resourceType: 'connection', resource: c0.id },
      parentResourceId: { resourceType: 'group', resource: c0.group_id },
      displayName: c0.schema,
      description: `${c0.service} in ${group.name}`,
    });
    expect(fromStruct(r.profile)).toEqual({
      service: c0.service,
      schema: c0.schema,
      paused: c0.paused,
      setup_state: c0.status.setup_state,
      sync_frequency: c0.sync_frequency,
      created_at: c0.created_at,
    });
    expect(r.createdAt?.seconds).toBe(Date.parse(c0.created_at) / 1000);
    // The listing carries the connection's config; none of it is kept.
    expect(JSON.stringify(items)).not.toContain('connection-password-');
    // One connections page and one groups page for the names.
    expect(fake.requests.map((x) => x.path)).toEqual(['/v1/connections', '/v1/groups']);
  });

  it('walks /v1/groups once per listing, and again only for a connection in a group it has not seen', async () => {
    const syncer = reg.syncer('connection');
    await syncer.list(undefined, req());
    await syncer.list(undefined, req(encodeCursor(6)));
    expect(fake.requests.map((x) => x.path)).toEqual(['/v1/connections', '/v1/groups', '/v1/connections']);
    const c0 = fake.dataset.connections[0]!;
    const g0 = fake.state.groups.get(c0.group_id)!;
    fake.state.groups.set('late_group', { ...g0, id: 'late_group', name: 'Late' });
    fake.state.connections.set('late_connection', { ...c0, id: 'late_connection', group_id: 'late_group' });
    try {
      fake.reset();
      const page = await syncer.list(undefined, req(encodeCursor(6)));
      expect(fake.requests.map((x) => x.path)).toEqual(['/v1/connections', '/v1/groups']);
      expect(page.items.find((r) => r.id.resource === 'late_connection')?.description).toBe(
        `${c0.service} in Late`,
      );
    } finally {
      fake.state.connections.delete('late_connection');
      fake.state.groups.delete('late_group');
    }
  });

  it('lists no groups when there are no connections', async () => {
    const empty = await startFakeFivetran({ dataset: generateDataset({ seed: 5, users: 5 }) });
    try {
      const r = new ConnectorRegistry(connectorFor(empty).connector);
      const page = await r.syncer('connection').list(undefined, req());
      expect(page.items).toEqual([]);
      expect(empty.requests.map((x) => x.path)).toEqual(['/v1/connections']);
    } finally {
      await empty.close();
    }
  });

  it('offers one PERMISSION entitlement per current connection role, slug = role name', async () => {
    const connection: Resource = { id: { resourceType: 'connection', resource: 'c1' }, displayName: 'sheet' };
    const { items } = await drain((t) => reg.syncer('connection').entitlements(connection, req(t)));
    expect(items.map((e) => [e.id, e.slug, e.purpose, e.grantableTo?.map((g) => g.id)])).toEqual([
      ['connection:c1:Manage Connection', 'Manage Connection', 'PURPOSE_VALUE_PERMISSION', ['user', 'team']],
      ['connection:c1:Edit Connection', 'Edit Connection', 'PURPOSE_VALUE_PERMISSION', ['user', 'team']],
      ['connection:c1:View Connection', 'View Connection', 'PURPOSE_VALUE_PERMISSION', ['user', 'team']],
    ]);
  });

  it("grants users' direct connection roles, deprecated names mapped, one request per user", async () => {
    const { items } = await typeGrants({ user: 30, connection: 12 });
    const expected = fake.dataset.userConnections.map(
      (m) => `connection:${m.connection_id}:${current(m.role)}:user:${m.owner_id}`,
    );
    expect(items.map((g) => g.id).sort()).toEqual(expected.sort());
    expect(fake.dataset.userConnections.some((m) => m.role in REPLACED)).toBe(true);
    expect(items.every((g) => g.annotations === undefined)).toBe(true);
    expect(fake.requestCount({ pathPrefix: '/v1/users/' })).toBe(30);
    expect(fake.requestCount({ pathPrefix: '/v1/users' })).toBe(31);
  });

  it("grants teams' connection roles from the team listing, expandable to the team's members", async () => {
    const all: Grant[] = [];
    for (const t of fake.dataset.teams) {
      const team: Resource = { id: { resourceType: 'team', resource: t.id } };
      const counts = { connection: 12 } as Record<string, number>;
      const { items } = await drain<Grant>((tok) =>
        reg.syncer('team').grants(team, req(tok, { resourceCount: (id) => counts[id] ?? 0 })),
      );
      all.push(...items.filter((g) => g.entitlement.resource.id.resourceType === 'connection'));
    }
    const expected = fake.dataset.teamConnections.map(
      (m) => `connection:${m.connection_id}:${current(m.role)}:team:${m.owner_id}`,
    );
    expect(all.map((g) => g.id).sort()).toEqual(expected.sort());
    const g = all[0]!;
    expect(findAnnotation(g.annotations, 'GrantExpandable')?.entitlementIds).toEqual([
      `team:${g.principal.id.resource}:member`,
    ]);
  });

  it('skips team and user connection lookups when the sync holds no connections', async () => {
    const team: Resource = { id: { resourceType: 'team', resource: fake.dataset.teams[0]!.id } };
    const none = { resourceCount: () => 0 };
    const teamPages = await drain((t) => reg.syncer('team').grants(team, req(t, none)));
    expect(teamPages.pages).toBe(2);
    expect((await typeGrants({ user: 30, connection: 0 })).items).toEqual([]);
    expect(fake.requests.filter((r) => r.path.endsWith('/connections'))).toEqual([]);
  });

  it('runs the per-user scan in auto mode only up to the limit; always and never override it', async () => {
    const scan = (mode: 'auto' | 'always' | 'never', userLimit: number) => {
      const c = connectorFor(fake, 'admin', { connectionUserScan: { mode, userLimit } });
      return { r: new ConnectorRegistry(c.connector), lines: c.sink.lines };
    };
    const scanned = async (mode: 'auto' | 'always' | 'never', userLimit: number) => {
      fake.reset();
      const { r, lines } = scan(mode, userLimit);
      const counts: Record<string, number> = { user: 30, connection: 12 };
      const { items } = await drain<Grant>((t) =>
        r.syncer('connection').typeGrants!(req(t, { resourceCount: (id) => counts[id] ?? 0 })),
      );
      return { items, lines, perUser: fake.requestCount({ pathPrefix: '/v1/users/' }) };
    };
    expect((await scanned('auto', 30)).perUser).toBe(30);
    const over = await scanned('auto', 29);
    expect(over.perUser).toBe(0);
    expect(over.items).toEqual([]);
    expect(over.lines.filter((l) => l.level === 40)).toEqual([
      expect.objectContaining({ users: 30, userLimit: 29, wouldCostRequests: 31 }),
    ]);
    expect((await scanned('always', 1)).perUser).toBe(30);
    expect((await scanned('never', 5000)).perUser).toBe(0);
  });

  it('lists no connection roles for a user deleted during the walk, and goes on with the others', async () => {
    const small = await startFakeFivetran({
      dataset: generateDataset({ seed: 6, users: 4, connections: 3, connectionMembershipsPerUser: 2 }),
    });
    try {
      // The last user holding a connection role (the first user owns the API key).
      const gone = small.dataset.userConnections.at(-1)!.owner_id;
      expect(gone).not.toBe(small.dataset.users[0]!.id);
      const path = `/v1/users/${gone}/connections`;
      // Held back until the user is deleted, then answered 404 NotFound_User.
      small.injectFaults({ kind: 'timeout', ms: 1000, match: path });
      const syncer = new ConnectorRegistry(connectorFor(small).connector).syncer('connection');
      const pending = syncer.typeGrants!(req(undefined, { resourceCount: (id) => (id === 'user' ? 4 : 3) }));
      while (!small.requests.some((r) => r.path === path)) await new Promise((r) => setTimeout(r, 5));
      small.state.removeUser(gone);
      const page = await pending;
      expect(small.requests.find((r) => r.path === path)?.status).toBe(404);
      const expected = small.dataset.userConnections
        .filter((m) => m.owner_id !== gone)
        .map((m) => `connection:${m.connection_id}:${current(m.role)}:user:${m.owner_id}`);
      expect(page.items.map((g) => g.id).sort()).toEqual(expected.sort());
    } finally {
      await small.close();
    }
  });

  it("keeps only roles of the listing's scope: a destination role on a connection or a connection role on a group grants nothing", async () => {
    const small = await startFakeFivetran({
      dataset: generateDataset({
        seed: 7,
        users: 3,
        groups: 1,
        teams: 1,
        connections: 1,
        connectionMembershipsPerUser: 0,
        connectionMembershipsPerTeam: 0,
      }),
    });
    try {
      const { connections, groups, teams, users } = small.dataset;
      const [connectionId, groupId, teamId, userId] = [
        connections[0]!.id,
        groups[0]!.id,
        teams[0]!.id,
        users[1]!.id,
      ];
      setConnectionMembership(small.state, 'user', userId, connectionId, 'Manage Destination');
      setConnectionMembership(small.state, 'team', teamId, connectionId, 'Manage Destination');
      small.state.setTeamGroup(teamId, groupId, 'Manage Connection');
      const r = new ConnectorRegistry(connectorFor(small).connector);
      const counted = { resourceCount: (id: string) => (id === 'user' ? 3 : 1) };
      const team: Resource = { id: { resourceType: 'team', resource: teamId } };
      const grants = [
        ...(await drain<Grant>((t) => r.syncer('connection').typeGrants!(req(t, counted)))).items,
        ...(await drain<Grant>((t) => r.syncer('team').grants(team, req(t, counted)))).items,
      ].map((g) => g.id);
      expect(small.requests.map((x) => x.path)).toEqual(
        expect.arrayContaining([
          `/v1/users/${userId}/connections`,
          `/v1/teams/${teamId}/connections`,
          `/v1/teams/${teamId}/groups`,
        ]),
      );
      expect(grants.filter((id) => id.startsWith('connection:') || id.startsWith('group:'))).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('decides on the per-user scan once per walk, on its first page', async () => {
    const big = await startFakeFivetran({
      dataset: generateDataset({ seed: 5, users: 1001, connections: 1, connectionMembershipsPerUser: 0 }),
    });
    try {
      const c = connectorFor(big);
      const syncer = new ConnectorRegistry(c.connector).syncer('connection');
      const { pages } = await drain<Grant>((t) => syncer.typeGrants!(req(t)));
      expect(pages).toBe(2);
      // Two pages to count the users up to the limit, then the walk's two pages.
      expect(big.requests.filter((x) => x.path === '/v1/users')).toHaveLength(4);
      expect(c.sink.lines.filter((l) => l.msg === "scanning users' connection roles")).toHaveLength(1);
    } finally {
      await big.close();
    }
  });

  it('stops counting users at the first page past the limit', async () => {
    const big = await startFakeFivetran({
      dataset: generateDataset({ seed: 5, users: 1001, connections: 1 }),
    });
    try {
      const c = connectorFor(big, 'admin', { connectionUserScan: { mode: 'auto', userLimit: 10 } });
      const page = await new ConnectorRegistry(c.connector).syncer('connection').typeGrants!(req());
      expect(page.items).toEqual([]);
      expect(big.requests.map((x) => `${x.path} ${x.query.cursor ?? ''}`)).toEqual(['/v1/users ']);
    } finally {
      await big.close();
    }
  });

  it('counts users itself, stopping past the limit, when the caller does not say how many there are', async () => {
    const c = connectorFor(fake, 'admin', { connectionUserScan: { mode: 'auto', userLimit: 10 } });
    const r = new ConnectorRegistry(c.connector);
    const page = await r.syncer('connection').typeGrants!(req());
    expect(page.items).toEqual([]);
    expect(fake.requests.map((x) => x.path)).toEqual(['/v1/users']);
  });

  it('keeps one connection when listing grants for one resource', async () => {
    const m = fake.dataset.userConnections[0]!;
    const connection: Resource = { id: { resourceType: 'connection', resource: m.connection_id } };
    const { items } = await drain<Grant>((t) =>
      reg.syncer('connection').grants(connection, req(t, { resourceCount: () => 1 })),
    );
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((g) => g.entitlement.resource.id.resource === m.connection_id)).toBe(true);
  });

  it("lists one connection's grants in two phases: every team's roles, then every user's", async () => {
    const t = fake.dataset.teamConnections[0]!;
    const connection: Resource = { id: { resourceType: 'connection', resource: t.connection_id } };
    const tokens: (string | undefined)[] = [];
    const { items, pages } = await drain<Grant>((tok) => {
      tokens.push(tok);
      return reg.syncer('connection').grants(connection, req(tok));
    });
    expect(pages).toBe(2);
    expect(tokens).toEqual([undefined, '{"phase":"users"}']);
    expect(items.map((g) => g.id)).toContain(
      `connection:${t.connection_id}:${current(t.role)}:team:${t.owner_id}`,
    );
    expect(items.every((g) => g.entitlement.resource.id.resource === t.connection_id)).toBe(true);
    await expect(
      reg.syncer('connection').grants(connection, req('{"phase":"groups"}')),
    ).rejects.toMatchObject({ message: expect.stringContaining('malformed page token') });
  });

  it('pages through a user with more than 1,000 connection memberships', async () => {
    const big = await startFakeFivetran({
      dataset: generateDataset({ seed: 9, users: 3, groups: 1, teams: 1, connections: 1001 }),
    });
    try {
      const u = big.dataset.users[0]!.id;
      for (const c of big.state.connections.keys()) {
        if (!big.state.userConnections.get(u)?.has(c)) {
          const m = { role: 'View Connection', created_at: '2025-01-01T00:00:00Z' };
          if (!big.state.userConnections.has(u)) big.state.userConnections.set(u, new Map());
          big.state.userConnections.get(u)!.set(c, m);
        }
      }
      const r = new ConnectorRegistry(connectorFor(big).connector);
      const resources = await drain((t) => r.syncer('connection').list(undefined, req(t)));
      expect(resources.items).toHaveLength(1001);
      expect(resources.pages).toBe(2);
      const counts: Record<string, number> = { user: 3, connection: 1001 };
      const { items } = await drain<Grant>((t) =>
        r.syncer('connection').typeGrants!(req(t, { resourceCount: (id) => counts[id] ?? 0 })),
      );
      expect(items.filter((g) => g.principal.id.resource === u)).toHaveLength(1001);
      expect(big.requestCount({ pathPrefix: `/v1/users/${u}/connections` })).toBe(2);
    } finally {
      await big.close();
    }
  });

  describe('system keys', () => {
    it('lists keys with a SecretTrait, permissions and expiry, and never the key value', async () => {
      const { items } = await list('system_key');
      expect(items).toHaveLength(4);
      const [k0, k1, k2] = fake.dataset.systemKeys as [
        (typeof fake.dataset.systemKeys)[0],
        (typeof fake.dataset.systemKeys)[0],
        (typeof fake.dataset.systemKeys)[0],
      ];
      const byId = new Map(items.map((r) => [r.id.resource, r]));
      const r0 = byId.get(k0.id)!;
      expect(r0).toMatchObject({ id: { resourceType: 'system_key', resource: k0.id }, displayName: k0.name });
      expect(findAnnotation(r0.annotations, 'SecretTrait')).toEqual({
        '@type': 'type.googleapis.com/c1.connector.v2.SecretTrait',
        expiresAt: { seconds: Date.parse(k0.expired_at!) / 1000, nanos: 0 },
        lastUsedAt: { seconds: Date.parse(k0.last_used_at!) / 1000, nanos: 0 },
      });
      expect(fromStruct(r0.profile)).toEqual({
        permissions: k0.permissions,
        created_at: k0.created_at,
        expired: false,
      });
      // k1 expired in 2022 and was never used; k2 never expires.
      expect(fromStruct(byId.get(k1.id)!.profile).expired).toBe(true);
      expect(findAnnotation(byId.get(k1.id)!.annotations, 'SecretTrait')?.lastUsedAt).toBeUndefined();
      expect(findAnnotation(byId.get(k2.id)!.annotations, 'SecretTrait')).toEqual({
        '@type': 'type.googleapis.com/c1.connector.v2.SecretTrait',
        lastUsedAt: { seconds: Date.parse(k2.last_used_at!) / 1000, nanos: 0 },
      });
      expect(fromStruct(byId.get(k2.id)!.profile).expired).toBe(false);
      expect(JSON.stringify(items)).not.toContain('ft_fakekeyvalue');
      const bytes = encodeMessage('c1.connector.v2.Resource', r0);
      expect(Buffer.from(bytes).toString('latin1')).not.toContain('ft_fakekeyvalue');
    });

    it('skips the type with one warning when the key may not list system keys (403)', async () => {
      const c = connectorFor(fake, 'system');
      const r = new ConnectorRegistry(c.connector);
      const page = await r.syncer('system_key').list(undefined, req());
      expect(page).toEqual({ items: [] });
      expect(fake.requests.map((x) => `${x.status} ${x.path}`)).toEqual(['403 /v1/system-keys']);
      const warnings = c.sink.lines.filter((l) => l.level === 40);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ resourceType: 'system_key', httpStatus: 403 });
    });

    it('fails a 403 on a later page rather than skipping the rest of the keys', async () => {
      fake.injectFaults({ kind: '403', match: '/v1/system-keys' });
      const later = reg.syncer('system_key').list(undefined, req(encodeCursor(2)));
      await expect(later).rejects.toMatchObject({ code: 7, httpStatus: 403 });
    });

    it('still fails the listing on other errors', async () => {
      fake.injectFaults({ kind: '401', match: '/v1/system-keys' });
      await expect(reg.syncer('system_key').list(undefined, req())).rejects.toMatchObject({ code: 16 });
    });
  });

  describe('provisioning connection:<c>:<role>', () => {
    let added = 0;
    const writes = () =>
      fake.requests.filter((r) => r.method !== 'GET').map((r) => `${r.status} ${r.method} ${r.path}`);

    it('adds a user, changes the role with PATCH, and revokes only the current role', async () => {
      const u = addPlainUser(fake, ++added, 'conn', 'Conn');
      const c = fake.dataset.connections[0]!;
      const p = res('user', u.id);
      const view = ent('connection', c.id, 'View Connection');
      const manage = ent('connection', c.id, 'Manage Connection');
      const prov = reg.provisioner('connection');
      expect((await prov.grant(p, view, opts())).grants?.[0]?.id).toBe(
        `connection:${c.id}:View Connection:user:${u.id}`,
      );
      expect((await prov.grant(p, view, opts())).alreadyExists).toBe(true);
      expect((await prov.grant(p, manage, opts())).alreadyExists).toBeUndefined();
      expect(fake.state.userConnections.get(u.id)?.get(c.id)?.role).toBe('Manage Connection');
      expect((await prov.revoke(grantOf(view, p), opts())).alreadyRevoked).toBe(true);
      expect(await prov.revoke(grantOf(manage, p), opts())).toEqual({});
      expect((await prov.revoke(grantOf(manage, p), opts())).alreadyRevoked).toBe(true);
      expect(fake.state.userConnections.get(u.id)?.has(c.id)).toBe(false);
      expect(writes()).toEqual([
        `201 POST /v1/users/${u.id}/connections`,
        `200 PATCH /v1/users/${u.id}/connections/${c.id}`,
        `200 DELETE /v1/users/${u.id}/connections/${c.id}`,
      ]);
      expect(fake.requests.find((r) => r.method === 'POST')?.body).toEqual({
        id: c.id,
        role: 'View Connection',
      });
    });

    it('grants a team with the team’s members as expansion source, idempotently', async () => {
      const t = fake.dataset.teams[0]!;
      const c = fake.dataset.connections.find((x) => !fake.state.teamConnections.get(t.id)?.has(x.id))!;
      const e = ent('connection', c.id, 'Edit Connection');
      const p = res('team', t.id);
      const prov = reg.provisioner('connection');
      const r = await prov.grant(p, e, opts());
      expect(r.grants?.[0]).toMatchObject({
        id: `connection:${c.id}:Edit Connection:team:${t.id}`,
        annotations: [expect.objectContaining({ entitlementIds: [`team:${t.id}:member`] })],
      });
      expect((await prov.grant(p, e, opts())).alreadyExists).toBe(true);
      expect(await prov.revoke(grantOf(e, p), opts())).toEqual({});
      expect((await prov.revoke(grantOf(e, p), opts())).alreadyRevoked).toBe(true);
      expect(writes()).toEqual([
        `201 POST /v1/teams/${t.id}/connections`,
        `200 DELETE /v1/teams/${t.id}/connections/${c.id}`,
      ]);
    });

    it('treats a deprecated role held as its replacement', async () => {
      const m = fake.dataset.userConnections.find((x) => x.role === 'Connector Administrator')!;
      const e = ent('connection', m.connection_id, 'Manage Connection');
      const r = await reg.provisioner('connection').grant(res('user', m.owner_id), e, opts());
      expect(r.alreadyExists).toBe(true);
      expect(writes()).toEqual([]);
    });

    it('rejects deprecated or non-connection role slugs and other principal types before any write', async () => {
      const c = fake.dataset.connections[0]!;
      const prov = reg.provisioner('connection');
      for (const slug of ['Connector Administrator', 'Manage Destination']) {
        await expect(
          prov.grant(res('user', fake.dataset.users[5]!.id), ent('connection', c.id, slug), opts()),
        ).rejects.toMatchObject({ code: 3 });
      }
      await expect(
        prov.grant(res('group', 'g'), ent('connection', c.id, 'View Connection'), opts()),
      ).rejects.toMatchObject({ code: 3 });
      expect(writes()).toEqual([]);
    });

    it('answers NOT_FOUND for a connection that does not exist', async () => {
      const u = addPlainUser(fake, ++added, 'conn', 'Conn');
      await expect(
        reg
          .provisioner('connection')
          .grant(res('user', u.id), ent('connection', 'no_such', 'View Connection'), opts()),
      ).rejects.toMatchObject({ code: 5 });
    });
  });
});
