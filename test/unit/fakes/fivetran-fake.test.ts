import {
  ACCOUNT_LEVEL_ROLES,
  generateDataset,
  startFakeFivetran,
  type ApiCredential,
  type FakeFivetran,
  type FakeFivetranOptions,
} from '../../fakes/fivetran/index.js';

interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const basic = (c: ApiCredential) => `Basic ${Buffer.from(`${c.key}:${c.secret}`).toString('base64')}`;

async function call(
  fake: FakeFivetran,
  method: string,
  path: string,
  o: {
    key?: ApiCredential | null;
    body?: unknown;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...o.headers };
  const key = o.key === undefined ? fake.keys.system : o.key;
  if (key) headers.authorization = basic(key);
  if (o.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${fake.baseUrl}${path}`, {
    method,
    headers,
    ...(o.body !== undefined ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

async function listAll(fake: FakeFivetran, path: string, limit: number) {
  const items: unknown[] = [];
  const cursors: string[] = [];
  let cursor: string | undefined;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const q = `${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await call(fake, 'GET', `${path}${q}`);
    expect(res.status).toBe(200);
    items.push(...res.json.data.items);
    cursor = res.json.data.next_cursor;
    if (cursor !== undefined) cursors.push(cursor);
  } while (cursor);
  return { items, cursors };
}

describe('generateDataset', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const opts = { seed: 42, users: 300, groups: 9, teams: 5 };
    expect(generateDataset(opts)).toEqual(generateDataset(opts));
    expect(generateDataset({ ...opts, seed: 43 }).users[0]!.id).not.toBe(generateDataset(opts).users[0]!.id);
  });

  it('has unique word_word ids and emails and the user shapes clients must handle', () => {
    const d = generateDataset({ seed: 5, users: 400 });
    const ids = [...d.users, ...d.groups, ...d.teams].map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(_[a-z]+)+$/);
    expect(new Set(d.users.map((u) => u.email.toLowerCase())).size).toBe(d.users.length);
    const admin = d.users.find((u) => u.id === d.adminUserId)!;
    expect(admin.role).toBe('Account Administrator');
    expect(d.users.filter((u) => u.role === 'Account Administrator')).toHaveLength(1);
    expect(d.users.find((u) => u.id === d.reviewerUserId)!.role).toBe('Account Reviewer');
    expect(d.users.find((u) => u.id === d.serviceAccountUserId)!.user_type).toBe('SERVICE_ACCOUNT');
    expect(d.users.some((u) => !u.active)).toBe(true);
    expect(d.users.some((u) => u.role === null)).toBe(true);
    expect(d.users.some((u) => u.invited && !u.verified && u.logged_in_at === null)).toBe(true);
    expect(d.groupMemberships.map((m) => m.role)).toEqual(
      expect.arrayContaining(['Destination Administrator', 'Destination Reviewer']),
    );
    expect(new Set(d.teamMemberships.map((m) => m.role))).toEqual(new Set(['Team Manager', 'Team Member']));
    expect(d.roles.find((r) => r.is_custom)!.scope).toEqual(['ACCOUNT']);
    const deprecated = d.roles.find((r) => r.name === 'Destination Administrator')!;
    expect(deprecated).toMatchObject({ is_deprecated: true, replacement_role_name: 'Manage Destination' });
  });

  it('generates 20,000 users with unique ids and emails', () => {
    const d = generateDataset({ seed: 9, users: 20_000, groups: 100, teams: 50 });
    expect(new Set(d.users.map((u) => u.id)).size).toBe(20_000);
    expect(new Set(d.users.map((u) => u.email)).size).toBe(20_000);
  });

  it('caps the users with an account-wide role at accountWideUsers, keeping the fixed first three', () => {
    const accountWide = (d: ReturnType<typeof generateDataset>) =>
      d.users.filter((u) => u.role !== null && ACCOUNT_LEVEL_ROLES.has(u.role));
    const uncapped = generateDataset({ seed: 1, users: 2_000 });
    const capped = generateDataset({ seed: 1, users: 2_000, accountWideUsers: 20 });
    expect(accountWide(uncapped).length).toBeGreaterThan(400);
    expect(accountWide(capped)).toHaveLength(20);
    expect(capped.users.slice(0, 3).map((u) => u.role)).toEqual(
      uncapped.users.slice(0, 3).map((u) => u.role),
    );
    // Only roles change: the same users, memberships and everything else.
    expect(capped.users.map((u) => u.id)).toEqual(uncapped.users.map((u) => u.id));
    expect(capped.groupMemberships).toEqual(uncapped.groupMemberships);
  });

  it('keeps the fixed first three account roles even under a cap below three', () => {
    const none = generateDataset({ seed: 1, users: 500, accountWideUsers: 0 });
    expect(none.users.slice(0, 3).map((u) => u.role)).toEqual([
      'Account Administrator',
      'Account Reviewer',
      'Account Analyst',
    ]);
    expect(none.users.slice(3).filter((u) => u.role !== null && ACCOUNT_LEVEL_ROLES.has(u.role))).toEqual([]);
  });
});

describe('fake Fivetran server', () => {
  let fake: FakeFivetran;
  const start = async (opts: FakeFivetranOptions = {}) => {
    fake = await startFakeFivetran({ dataset: generateDataset({ seed: 3, users: 45 }), ...opts });
    return fake;
  };
  afterEach(async () => {
    await fake?.close();
  });

  describe('pagination', () => {
    it('walks every user with base64 {"skip":N} cursors and omits next_cursor on the last page', async () => {
      await start();
      const { items, cursors } = await listAll(fake, '/users', 10);
      expect(items).toHaveLength(45);
      expect(new Set(items.map((u) => (u as { id: string }).id)).size).toBe(45);
      expect(cursors.map((c) => JSON.parse(Buffer.from(c, 'base64').toString()))).toEqual([
        { skip: 10 },
        { skip: 20 },
        { skip: 30 },
        { skip: 40 },
      ]);
      const last = await call(fake, 'GET', `/users?limit=10&cursor=${cursors[3]}`);
      expect(last.json.data.items).toHaveLength(5);
      expect('next_cursor' in last.json.data).toBe(false);
    });

    it('defaults to 100 items and rejects limits outside 1..1000 and bad cursors with 400 InvalidInput', async () => {
      await start({ dataset: generateDataset({ seed: 3, users: 150 }) });
      expect((await call(fake, 'GET', '/users')).json.data.items).toHaveLength(100);
      for (const q of ['limit=0', 'limit=1001', 'limit=abc', 'cursor=%21%21not-base64']) {
        const res = await call(fake, 'GET', `/users?${q}`);
        expect([res.status, res.json.code]).toEqual([400, 'InvalidInput']);
      }
      expect((await call(fake, 'GET', '/users?limit=1000')).json.data.items).toHaveLength(150);
    });

    it('can end lists with next_cursor null or an empty final page', async () => {
      await start({ lastPageCursor: 'null', emptyFinalPage: true });
      const first = await call(fake, 'GET', '/users?limit=45');
      expect(first.json.data.next_cursor).toEqual(expect.any(String));
      const second = await call(fake, 'GET', `/users?limit=45&cursor=${first.json.data.next_cursor}`);
      expect(second.json.data).toEqual({ items: [], next_cursor: null });
    });

    it('filters users by active', async () => {
      await start();
      const inactive = await listAll(fake, '/users?active=false', 1000);
      const expected = [...fake.state.users.values()].filter((u) => !u.active).length;
      expect(expected).toBeGreaterThan(0);
      expect(inactive.items).toHaveLength(expected);
    });
  });

  describe('envelopes and statuses', () => {
    it('answers account/info with user_id for a user key and system_key_id for a system key', async () => {
      await start();
      const asUser = await call(fake, 'GET', '/account/info', { key: fake.keys.admin });
      expect(asUser.json).toMatchObject({
        code: 'Success',
        data: { account_id: fake.state.accountId, user_id: fake.dataset.adminUserId, system_key_id: null },
      });
      const asSystem = await call(fake, 'GET', '/account/info');
      expect(asSystem.json.data).toMatchObject({ user_id: null, system_key_id: expect.any(String) });
    });

    it('invites with 201 + data, rejects a duplicate email with 409 and bad input with 400', async () => {
      await start();
      const body = {
        email: 'new.person@example.com',
        given_name: 'New',
        family_name: 'Person',
        role: 'Account Reviewer',
      };
      const res = await call(fake, 'POST', '/users', { body });
      expect(res.status).toBe(201);
      expect(res.json.data).toMatchObject({
        ...body,
        invited: true,
        verified: false,
        active: true,
        logged_in_at: null,
      });
      expect(fake.state.users.get(res.json.data.id)).toBeDefined();
      const dup = await call(fake, 'POST', '/users', { body: { ...body, email: 'NEW.person@example.com' } });
      expect([dup.status, dup.json.code]).toEqual([409, 'Conflict']);
      const missing = await call(fake, 'POST', '/users', {
        body: { email: 'x@example.com', given_name: 'X' },
      });
      expect([missing.status, missing.json.code]).toEqual([400, 'InvalidInput']);
      const wrongScope = await call(fake, 'POST', '/users', {
        body: { ...body, email: 'y@example.com', role: 'Team Member' },
      });
      expect([wrongScope.status, wrongScope.json.code]).toEqual([400, 'InvalidInput']);
      const noType = await call(fake, 'POST', '/users', {
        body: JSON.stringify(body),
        headers: { 'content-type': 'text/plain' },
      });
      expect(noType.status).toBe(415);
    });

    it('adds group members with 201 + data via /users and 200 without data via /groups', async () => {
      await start();
      const user = [...fake.state.users.values()].find((u) => u.role === null)!;
      const joined = fake.state.userGroups.get(user.id) ?? new Map();
      const [g1, g2] = [...fake.state.groups.keys()].filter((g) => !joined.has(g));
      const viaUser = await call(fake, 'POST', `/users/${user.id}/groups`, {
        body: { id: g1, role: 'View Destination' },
      });
      expect(viaUser.status).toBe(201);
      expect(viaUser.json.data).toEqual({ id: g1, role: 'View Destination', created_at: expect.any(String) });
      const again = await call(fake, 'POST', `/users/${user.id}/groups`, {
        body: { id: g1, role: 'Edit Destination' },
      });
      expect([again.status, again.json.code]).toEqual([409, 'Conflict']);
      const viaGroup = await call(fake, 'POST', `/groups/${g2}/users`, {
        body: { email: user.email, role: 'Destination Reviewer' },
      });
      expect(viaGroup.status).toBe(200);
      expect(viaGroup.json).toEqual({ code: 'Success', message: expect.any(String) });
      const badRole = await call(fake, 'PATCH', `/users/${user.id}/groups/${g1}`, {
        body: { role: 'Team Member' },
      });
      expect([badRole.status, badRole.json.code]).toEqual([400, 'InvalidInput']);
      const list = await call(fake, 'GET', `/users/${user.id}/groups`);
      expect(list.json.data.items.map((m: { id: string; role: string }) => [m.id, m.role])).toEqual(
        expect.arrayContaining([
          [g1, 'View Destination'],
          [g2, 'Destination Reviewer'],
        ]),
      );
    });

    it('answers team writes with 201 + data keyed by user_id or id, and a user-group PATCH without data', async () => {
      await start();
      const team = await call(fake, 'POST', '/teams', {
        body: { name: 'Ops', description: 'd', role: null },
      });
      expect([team.status, team.json.code]).toEqual([201, 'Success']);
      expect(team.json.data).toEqual({ id: expect.any(String), name: 'Ops', description: 'd', role: null });
      const teamId = team.json.data.id as string;
      const user = [...fake.state.users.values()].find((u) => u.role === null)!;
      const member = await call(fake, 'POST', `/teams/${teamId}/users`, {
        body: { user_id: user.id, role: 'Team Manager' },
      });
      expect(member.status).toBe(201);
      expect(member.json.data).toEqual({
        user_id: user.id,
        role: 'Team Manager',
        created_at: expect.any(String),
      });
      const groupId = [...fake.state.groups.keys()][0]!;
      const teamGroup = await call(fake, 'POST', `/teams/${teamId}/groups`, {
        body: { id: groupId, role: 'View Destination' },
      });
      expect(teamGroup.status).toBe(201);
      expect(teamGroup.json.data).toEqual({
        id: groupId,
        role: 'View Destination',
        created_at: expect.any(String),
      });
      const [joined] = fake.state.userGroups.get(fake.dataset.adminUserId) ?? new Map();
      const patched = await call(fake, 'PATCH', `/users/${fake.dataset.adminUserId}/groups/${joined![0]}`, {
        body: { role: 'Edit Destination' },
      });
      expect(patched.status).toBe(200);
      expect(patched.json).toEqual({ code: 'Success', message: expect.any(String) });
    });

    it('makes a user key the first member of the group it creates, and answers an unusable Accept with 406', async () => {
      await start();
      const res = await call(fake, 'POST', '/groups', { key: fake.keys.admin, body: { name: 'New group' } });
      expect(res.status).toBe(201);
      expect(fake.state.groupUsers.get(res.json.data.id)?.has(fake.dataset.adminUserId)).toBe(true);
      const xml = await call(fake, 'GET', '/users', { headers: { accept: 'application/xml' } });
      expect([xml.status, xml.json.code]).toEqual([406, 'NotAcceptable']);
      const v2 = await call(fake, 'GET', '/users', { headers: { accept: 'application/json;version=2' } });
      expect(v2.status).toBe(200);
    });

    it('lists account-level users in a group with role null and refuses to remove them with 404 NotFound', async () => {
      await start();
      const groupId = [...fake.state.groups.keys()][0]!;
      const viewer = [...fake.state.users.values()].find(
        (u) => u.role === 'Account Reviewer' && !fake.state.groupUsers.get(groupId)?.has(u.id),
      )!;
      const { items } = await listAll(fake, `/groups/${groupId}/users`, 1000);
      const rows = items as { id: string; role: string | null; email: string }[];
      expect(rows.find((u) => u.id === viewer.id)).toMatchObject({ email: viewer.email, role: null });
      const direct = [...(fake.state.groupUsers.get(groupId) ?? new Map())];
      expect(rows.filter((u) => u.role !== null).map((u) => [u.id, u.role])).toEqual(
        direct.map(([userId, m]) => [userId, m.role]),
      );
      const res = await call(fake, 'DELETE', `/groups/${groupId}/users/${viewer.id}`);
      expect([res.status, res.json.code]).toEqual([404, 'NotFound']);
    });

    it('uses user_id in team member items and NotFound_<Entity> codes for missing objects', async () => {
      await start();
      const teamId = [...fake.state.teams.keys()].find((t) => fake.state.teamUsers.get(t)?.size)!;
      const res = await call(fake, 'GET', `/teams/${teamId}/users`);
      expect(res.json.data.items[0]).toEqual({
        user_id: expect.any(String),
        role: expect.stringMatching(/^Team (Member|Manager)$/),
        created_at: expect.any(String),
      });
      for (const [path, code] of [
        ['/users/no_such', 'NotFound_User'],
        ['/groups/no_such', 'NotFound_Group'],
        ['/teams/no_such', 'NotFound_Team'],
        ['/teams/no_such/users', 'NotFound_Team'],
      ]) {
        const r = await call(fake, 'GET', path!);
        expect([r.status, r.json.code]).toEqual([404, code]);
      }
    });

    it('deletes a user with their memberships, and protects the last admin and own role with 400', async () => {
      await start();
      const keyOwners = [fake.dataset.adminUserId, fake.dataset.reviewerUserId];
      const m = fake.dataset.teamMemberships.find((t) => !keyOwners.includes(t.user_id))!;
      const res = await call(fake, 'DELETE', `/users/${m.user_id}`);
      expect(res.status).toBe(200);
      expect(res.json.message).toContain(m.user_id);
      expect(fake.state.teamUsers.get(m.team_id)?.has(m.user_id)).toBe(false);
      expect(fake.state.userGroups.get(m.user_id)?.size ?? 0).toBe(0);
      expect((await call(fake, 'GET', `/users/${m.user_id}`)).status).toBe(404);
      const lastAdmin = await call(fake, 'DELETE', `/users/${fake.dataset.adminUserId}`);
      expect([lastAdmin.status, lastAdmin.json.code]).toEqual([400, 'BadRequest']);
      const ownRole = await call(fake, 'PATCH', `/users/${fake.dataset.adminUserId}`, {
        key: fake.keys.admin,
        body: { role: 'Account Reviewer' },
      });
      expect([ownRole.status, ownRole.json.code]).toEqual([400, 'BadRequest']);
      const patched = await call(fake, 'PATCH', `/users/${fake.dataset.reviewerUserId}`, {
        key: fake.keys.admin,
        body: { role: 'Account Administrator', phone: null },
      });
      expect(patched.json.data).toMatchObject({ role: 'Account Administrator', phone: null });
    });

    it('serves the role catalogue with deprecated names and a custom account role', async () => {
      await start();
      const { items } = await listAll(fake, '/roles', 1000);
      const names = (items as { name: string }[]).map((r) => r.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'Account Administrator',
          'Manage Destination',
          'Destination Reviewer',
          'Team Manager',
        ]),
      );
      expect(items).toContainEqual(expect.objectContaining({ is_custom: true, scope: ['ACCOUNT'] }));
    });
  });

  describe('auth', () => {
    it('answers bad credentials with an empty 401, or JSON when configured', async () => {
      await start();
      expect(await call(fake, 'GET', '/users', { key: null })).toMatchObject({ status: 401, text: '' });
      const wrong = { key: fake.keys.system.key, secret: 'nope' };
      expect((await call(fake, 'GET', '/users', { key: wrong })).status).toBe(401);
      await fake.close();
      await start({ unauthorizedBody: 'json' });
      expect((await call(fake, 'GET', '/users', { key: null })).json.code).toBe('Unauthorized');
    });

    it('lets read-only keys read but answers writes with 403 Forbidden', async () => {
      await start();
      for (const key of [fake.keys.readOnlySystem, fake.keys.nonAdminUser]) {
        expect((await call(fake, 'GET', '/teams', { key })).status).toBe(200);
        const res = await call(fake, 'DELETE', `/users/${fake.dataset.serviceAccountUserId}/role`, { key });
        expect([res.status, res.json.code]).toEqual([403, 'Forbidden']);
      }
      expect(fake.state.users.get(fake.dataset.serviceAccountUserId)!.role).toBe('Account Analyst');
    });
  });

  describe('faults', () => {
    it('serves 429, 500, html 502, 401 and 403 faults in order, only on matching paths', async () => {
      await start();
      fake.injectFaults(
        { kind: '429', retryAfterSeconds: 7, match: '/users' },
        { kind: '500' },
        { kind: 'html502', match: '/v1/teams' },
        { kind: '401' },
        { kind: '403' },
      );
      const groups = await call(fake, 'GET', '/groups');
      expect([groups.status, groups.json.code]).toEqual([500, 'InternalError']);
      const users = await call(fake, 'GET', '/users');
      expect([users.status, users.headers.get('retry-after'), users.json.code]).toEqual([
        429,
        '7',
        'TooManyRequests',
      ]);
      const teams = await call(fake, 'GET', '/teams');
      expect([teams.status, teams.headers.get('content-type'), teams.json]).toEqual([
        502,
        'text/html',
        undefined,
      ]);
      expect((await call(fake, 'GET', '/roles')).status).toBe(401);
      expect((await call(fake, 'GET', '/roles')).status).toBe(403);
      expect((await call(fake, 'GET', '/roles')).status).toBe(200);
    });

    it('resets the socket, and delays a response until the client gives up', async () => {
      await start();
      fake.injectFaults({ kind: 'reset' }, { kind: 'timeout', ms: 60_000 }, { kind: 'timeout', ms: 5 });
      await expect(call(fake, 'GET', '/users')).rejects.toThrow();
      await expect(call(fake, 'GET', '/users', { signal: AbortSignal.timeout(30) })).rejects.toThrow();
      expect((await call(fake, 'GET', '/users')).status).toBe(200);
      expect(fake.requests.map((r) => r.status)).toEqual([0, 0, 200]);
    });
  });

  describe('quotas', () => {
    it('sends X-Rate-Limit headers and answers 429 with Retry-After once the hourly quota is used', async () => {
      let now = Date.UTC(2026, 0, 1);
      await start({ hourlyQuota: 3, now: () => now });
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await call(fake, 'GET', '/groups');
        expect(res.headers.get('x-rate-limit')).toBe('3');
        remaining.push(res.headers.get('x-rate-limit-remaining'));
        now += 1000;
      }
      expect(remaining).toEqual(['2', '1', '0']);
      const limited = await call(fake, 'GET', '/groups');
      expect([limited.status, limited.json.code]).toEqual([429, 'TooManyRequests']);
      expect(limited.json.message).toBe('Max 3 api calls allowed in one-hour rolling time period');
      expect(limited.headers.get('retry-after')).toBe('3597');
      now += 3597_000;
      expect((await call(fake, 'GET', '/groups')).status).toBe(200);
    });

    it('limits invites per hour separately', async () => {
      await start({ inviteQuota: 2 });
      const invite = (i: number) =>
        call(fake, 'POST', '/users', {
          body: { email: `p${i}@example.com`, given_name: 'P', family_name: `${i}` },
        });
      expect([(await invite(1)).status, (await invite(2)).status]).toEqual([201, 201]);
      const third = await invite(3);
      expect([third.status, third.json.code, Number(third.headers.get('retry-after')) > 0]).toEqual([
        429,
        'TooManyRequests',
        true,
      ]);
      expect(fake.state.userByEmail('p3@example.com')).toBeUndefined();
    });
  });

  describe('recording', () => {
    it('records requests with key id and body, counts them by filter and clears them on reset', async () => {
      await start({ latencyMs: 2 });
      const user = fake.dataset.users[5]!;
      await call(fake, 'GET', '/users?limit=5', {
        key: fake.keys.admin,
        headers: { 'user-agent': 'test-agent/1' },
      });
      await call(fake, 'PATCH', `/users/${user.id}`, { body: { given_name: 'Renamed' } });
      expect(fake.requests[0]).toMatchObject({
        method: 'GET',
        path: '/v1/users',
        query: { limit: '5' },
        status: 200,
        authKey: fake.keys.admin.key,
        userAgent: 'test-agent/1',
      });
      expect(fake.requests[1]).toMatchObject({
        method: 'PATCH',
        body: { given_name: 'Renamed' },
        status: 200,
      });
      expect(JSON.stringify(fake.requests)).not.toContain(fake.keys.admin.secret);
      expect(fake.requestCount()).toBe(2);
      expect(fake.requestCount({ method: 'patch', pathPrefix: '/users' })).toBe(1);
      expect(fake.requestCount({ pathPrefix: '/v1/groups' })).toBe(0);
      fake.injectFaults({ kind: '500' });
      fake.reset();
      expect(fake.requestCount()).toBe(0);
      expect((await call(fake, 'GET', `/users/${user.id}`)).json.data.given_name).toBe('Renamed');
    });
  });

  describe('latency', () => {
    it('answers no sooner than half of latencyMs after arrival, even after a response held up by a fault', async () => {
      await start({ latencyMs: 60 });
      // A response a second late must not teach the fake to answer the next ones at once.
      fake.injectFaults({ kind: 'timeout', ms: 1_000 });
      expect((await call(fake, 'GET', '/account/info')).status).toBe(200);
      fake.reset();
      expect(fake.meanResponseMs).toBe(0);
      for (let i = 0; i < 3; i++) {
        const sent = performance.now();
        expect((await call(fake, 'GET', '/account/info')).status).toBe(200);
        expect(performance.now() - sent).toBeGreaterThanOrEqual(29);
      }
      expect(fake.meanResponseMs).toBeGreaterThanOrEqual(29);
    });
  });

  describe('memoised GET bodies (benchmarks only)', () => {
    it('serves a page from the shared memo to a second fake, counted, and routes only what it has not seen', async () => {
      const bodies = new Map<string, Buffer>();
      const dataset = generateDataset({ seed: 3, users: 45 });
      await start({ dataset, memoiseGetBodies: bodies });
      const first = await call(fake, 'GET', '/users?limit=10');
      expect(bodies.size).toBe(1);
      const notFound = await call(fake, 'GET', '/users/nobody_here');
      expect(notFound.status).toBe(404);
      expect(bodies.size).toBe(1);
      const keys = fake.keys;
      await fake.close();
      await start({ dataset, memoiseGetBodies: bodies, keys });
      // The memo holds bytes, so a state change afterwards is invisible: the reason it is for benchmarks.
      fake.state.users.clear();
      const again = await call(fake, 'GET', '/users?limit=10');
      expect(again.text).toBe(first.text);
      expect(again.json.data.items).toHaveLength(10);
      expect(fake.requests).toMatchObject([{ path: '/v1/users', status: 200 }]);
      expect((await call(fake, 'GET', '/users?limit=5')).json.data.items).toHaveLength(0);
      expect(bodies.size).toBe(2);
    });
  });
});
