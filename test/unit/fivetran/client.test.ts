import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Code } from '../../../src/connector/index.js';
import { generateDataset, startFakeFivetran, type FakeFivetran } from '../../fakes/fivetran/index.js';
import { caught, clientFor, signal, useFakeFivetran } from './support.js';

describe('FivetranClient', () => {
  let fake: FakeFivetran;
  useFakeFivetran((f) => (fake = f), { dataset: generateDataset({ seed: 7, users: 2100 }) });

  it('sends Basic auth, JSON accept, our user agent and a JSON content type on writes', async () => {
    const { client } = clientFor(fake, { baseUrl: `${fake.baseUrl}/` });
    const info = await client.request<{ account_id: string }>({
      method: 'GET',
      endpoint: '/v1/account/info',
      signal: signal(),
    });
    expect(info?.account_id).toBe(fake.dataset.accountId);
    const teamId = fake.dataset.teams[0]!.id;
    await client.request({
      method: 'PATCH',
      endpoint: '/v1/teams/{teamId}',
      params: { teamId },
      body: { description: 'x' },
      signal: signal(),
    });
    const [get, patch] = fake.requests;
    expect(get).toMatchObject({
      path: '/v1/account/info',
      authKey: fake.keys.admin.key,
      userAgent: 'baton-fivetran/9.9.9',
    });
    expect(get?.contentType).toBeUndefined();
    expect(patch).toMatchObject({ method: 'PATCH', path: `/v1/teams/${teamId}`, status: 200 });
    expect(patch?.contentType).toBe('application/json');
  });

  it('accepts a base URL without /v1 and with extra slashes', async () => {
    const root = fake.baseUrl.replace(/\/v1$/, '//');
    const { client } = clientFor(fake, { baseUrl: root });
    await client.request({ method: 'GET', endpoint: '/v1/account/info', signal: signal() });
    expect(fake.requests[0]?.path).toBe('/v1/account/info');
  });

  it('pages with limit=1000 through every item and stops on a missing next_cursor', async () => {
    const { client } = clientFor(fake);
    const users = await client.all<{ id: string }>({ endpoint: '/v1/users', signal: signal() });
    expect(users).toHaveLength(2100);
    expect(new Set(users.map((u) => u.id)).size).toBe(2100);
    expect(fake.requests.map((r) => r.query.limit)).toEqual(['1000', '1000', '1000']);
    expect(fake.requests[0]?.query.cursor).toBeUndefined();
  });

  it.each(['null', 'empty'] as const)('treats a %s next_cursor as the end of the list', async (style) => {
    const other = await startFakeFivetran({ lastPageCursor: style, emptyFinalPage: true });
    try {
      const { client } = clientFor(other);
      const page = await client.page<{ id: string }>({ endpoint: '/v1/users', signal: signal() });
      expect(page.items).toHaveLength(other.dataset.users.length);
      expect(page.nextCursor).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('follows a cursor to an empty final page', async () => {
    const other = await startFakeFivetran({
      dataset: generateDataset({ seed: 3, users: 1000 }),
      emptyFinalPage: true,
    });
    try {
      const { client } = clientFor(other);
      const users = await client.all({ endpoint: '/v1/users', signal: signal() });
      expect(users).toHaveLength(1000);
      expect(other.requestCount({ pathPrefix: '/users' })).toBe(2);
    } finally {
      await other.close();
    }
  });

  describe('against a server that repeats cursors', () => {
    let server: Server;
    let base: string;
    let hits = 0;
    beforeAll(async () => {
      // A misbehaving upstream the Fivetran fake cannot imitate: page 2 hands back page 1's cursor.
      server = createServer((req, res) => {
        hits++;
        const url = new URL(req.url ?? '/', 'http://x');
        const cursor = url.searchParams.get('cursor');
        // `/v1/teams` cycles c1, c2, c1, ... with new items on every page.
        const next = url.pathname.endsWith('/teams') ? (cursor === 'c1' ? 'c2' : 'c1') : (cursor ?? 'c1');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ code: 'Success', data: { items: [{ id: `i${hits}` }], next_cursor: next } }),
        );
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('refuses a repeated cursor with INTERNAL instead of looping', async () => {
      const { client } = clientFor(fake, { baseUrl: base });
      hits = 0;
      const err = await caught(client.all({ endpoint: '/v1/users', signal: signal() }));
      expect(err.code).toBe(Code.INTERNAL);
      expect(err.message).toMatch(/^baton-fivetran: GET \/v1\/users: .*next_cursor/);
      expect(hits).toBe(2);
      const again = await caught(client.page({ endpoint: '/v1/users', cursor: 'c1', signal: signal() }));
      expect(again.code).toBe(Code.INTERNAL);
    });

    it('refuses a next_cursor handed out by an earlier page (c1, c2, c1) instead of looping', async () => {
      const { client } = clientFor(fake, { baseUrl: base });
      hits = 0;
      const err = await caught(client.all({ endpoint: '/v1/teams', signal: signal() }));
      expect(err.code).toBe(Code.INTERNAL);
      expect(err.message).toBe('baton-fivetran: GET /v1/teams: Fivetran repeated an earlier next_cursor');
      expect(hits).toBe(3);
    });
  });
});
