import {
  generateDataset,
  startFakeFivetran,
  type ApiCredential,
  type FakeFivetran,
} from '../../fakes/fivetran/index.js';

// The fake's connection, connection-membership and system-key endpoints keep fivetran-api.md §3.4/§3.7/§4
// (and the official OpenAPI where the spec is silent): statuses, envelopes and messages.

const basic = (c: ApiCredential) => `Basic ${Buffer.from(`${c.key}:${c.secret}`).toString('base64')}`;

describe('the fake Fivetran: connections and system keys', () => {
  let fake: FakeFivetran;
  beforeAll(async () => {
    fake = await startFakeFivetran({
      dataset: generateDataset({ seed: 3, users: 10, groups: 2, teams: 2, connections: 5, systemKeys: 3 }),
    });
  });
  afterAll(() => fake.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (method: string, path: string, body?: unknown, key = fake.keys.admin): Promise<any> => {
    const res = await fetch(`${fake.baseUrl}${path}`, {
      method,
      headers: {
        authorization: basic(key),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as unknown };
  };

  it('lists connections in pages, filtered by group_id', async () => {
    const first = await call('GET', '/connections?limit=2');
    expect(first.status).toBe(200);
    expect(first.json.message).toBe('Connections list retrieved successfully');
    expect(first.json.data.items).toHaveLength(2);
    expect(first.json.data.items[0]).toMatchObject({
      id: expect.any(String),
      group_id: expect.any(String),
      status: { setup_state: expect.any(String) },
    });
    expect(typeof first.json.data.next_cursor).toBe('string');
    const groupId = fake.dataset.groups[0]!.id;
    const byGroup = await call('GET', `/connections?limit=1000&group_id=${groupId}`);
    expect(byGroup.json.data.items.every((c: { group_id: string }) => c.group_id === groupId)).toBe(true);
    expect('next_cursor' in byGroup.json.data).toBe(false);
    const missing = await call('GET', '/connections/no_such');
    expect(missing).toEqual({
      status: 404,
      json: { code: 'NotFound_Connection', message: "Connection with id 'no_such' does not exist." },
    });
  });

  it.each(['users', 'teams'] as const)(
    'serves %s connection memberships: POST 201, PATCH 200, DELETE 200',
    async (kind) => {
      const owner = kind === 'users' ? fake.dataset.users[9]!.id : fake.dataset.teams[1]!.id;
      const held = kind === 'users' ? fake.state.userConnections : fake.state.teamConnections;
      const connectionId = fake.dataset.connections.find((c) => !held.get(owner)?.has(c.id))!.id;
      const base = `/${kind}/${owner}/connections`;
      const added = await call('POST', base, { id: connectionId, role: 'View Connection' });
      expect(added.status).toBe(201);
      expect(added.json).toMatchObject({
        code: 'Success',
        message: 'Connection membership has been created',
        data: { id: connectionId, role: 'View Connection' },
      });
      expect((await call('POST', base, { id: connectionId, role: 'View Connection' })).status).toBe(409);
      expect((await call('POST', base, { id: connectionId, role: 'Manage Destination' })).status).toBe(400);
      const listed = await call('GET', base);
      expect(listed.json.message).toBe(
        kind === 'users'
          ? 'User memberships in connections retrieved successfully'
          : 'Team connection memberships retrieved successfully',
      );
      expect(listed.json.data.items.map((m: { id: string }) => m.id)).toContain(connectionId);
      const patched = await call('PATCH', `${base}/${connectionId}`, { role: 'Edit Connection' });
      expect(patched).toMatchObject({
        status: 200,
        json: { message: 'Connection membership has been updated', data: { role: 'Edit Connection' } },
      });
      const removed = await call('DELETE', `${base}/${connectionId}`);
      expect(removed).toEqual({
        status: 200,
        json: { code: 'Success', message: 'Connection membership has been deleted' },
      });
      expect((await call('GET', `${base}/${connectionId}`)).status).toBe(404);
      expect((await call('GET', `/${kind}/nobody/connections`)).status).toBe(404);
    },
  );

  it('lists system keys to an Account Administrator user key only; other keys get 403', async () => {
    const listed = await call('GET', '/system-keys');
    expect(listed.status).toBe(200);
    expect(listed.json.message).toBe('System keys retrieved successfully');
    expect(listed.json.data.items).toHaveLength(3);
    for (const key of [fake.keys.system, fake.keys.nonAdminUser]) {
      expect(await call('GET', '/system-keys', undefined, key)).toEqual({
        status: 403,
        json: { code: 'Forbidden', message: "You don't have permission to read system keys" },
      });
    }
  });

  it('guards connection endpoints with the CONNECTOR permission of a system key', async () => {
    fake.addKey({
      key: 'no-connector-key',
      secret: 'no-connector-secret',
      kind: 'system',
      systemKeyId: 'no_connector',
      permissions: [{ resource_type: 'USER', access_level: 'READ' }],
    });
    const res = await call('GET', '/connections', undefined, {
      key: 'no-connector-key',
      secret: 'no-connector-secret',
    });
    expect(res).toEqual({
      status: 403,
      json: { code: 'Forbidden', message: "You don't have permission to read CONNECTOR" },
    });
  });

  it('leaves the other generated records as they were without connections', () => {
    const plain = generateDataset({ seed: 3, users: 10, groups: 2, teams: 2 });
    const { connections, userConnections, teamConnections, systemKeys, ...rest } = fake.dataset;
    const { connections: c2, userConnections: u2, teamConnections: t2, systemKeys: k2, ...plainRest } = plain;
    expect(rest).toEqual(plainRest);
    expect([c2, u2, t2, k2]).toEqual([[], [], [], []]);
    expect(
      connections.length + userConnections.length + teamConnections.length + systemKeys.length,
    ).toBeGreaterThan(8);
  });
});
