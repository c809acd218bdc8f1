import {
  createServer as createHttpServer,
  request as httpRequest,
  type Agent,
  type Server as HttpServer,
} from 'node:http';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import pino from 'pino';
import { FivetranClient } from '../../../src/fivetran/index.js';
import {
  createHttpProxyAgent,
  createProxyAgent,
  ProxyConnectError,
  ProxyRouter,
} from '../../../src/net/index.js';
import { createTestPki, type TestPki } from '../../fakes/control-plane/index.js';
import { startLoopbackProxy, type LoopbackProxy } from './connect-proxy.js';

const listen = async <S extends Server | HttpServer>(server: S): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};
/** One GET through `agent` with node:http(s), as the Fivetran client and the token source send theirs. */
const get = (url: string, agent: Agent, ca?: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { agent, ...(ca ? { ca } : {}), timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
const close = (server: Server | HttpServer) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

describe('createProxyAgent against a loopback CONNECT proxy and HTTPS server', () => {
  let pki: TestPki;
  let server: Server;
  let port: number;
  const seen: { host?: string; path?: string }[] = [];

  beforeAll(async () => {
    pki = createTestPki();
    server = createServer({ key: pki.keyPem, cert: pki.certPem }, (req, res) => {
      seen.push({ host: req.headers.host, path: req.url });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    port = await listen(server);
  });
  afterAll(() => close(server));

  it('tunnels node:https through CONNECT localhost:PORT with TLS and SNI to the target, reusing the tunnel', async () => {
    const proxy = await startLoopbackProxy();
    const agent = createProxyAgent(proxy.url);
    try {
      const users = async () =>
        JSON.parse((await get(`https://localhost:${port}/v1/users`, agent, pki.caPem)).body);
      expect(await users()).toEqual({ ok: true });
      expect(await users()).toEqual({ ok: true });
      expect(proxy.records).toEqual([
        { method: 'CONNECT', target: `localhost:${port}`, proxyAuthorization: undefined },
      ]);
      expect(seen.at(-1)).toEqual({ host: `localhost:${port}`, path: '/v1/users' });
    } finally {
      agent.destroy();
      await proxy.close();
    }
  });

  it('still verifies the target certificate inside the tunnel', async () => {
    const proxy = await startLoopbackProxy();
    const agent = createProxyAgent(proxy.url);
    try {
      await expect(get(`https://localhost:${port}/`, agent)).rejects.toThrow(/certificate/i);
    } finally {
      agent.destroy();
      await proxy.close();
    }
  });

  it('sends Proxy-Authorization: Basic from the proxy URL, and reports a 407 without the password', async () => {
    const proxy = await startLoopbackProxy({ credentials: 'svc:s3cr:t' });
    expect(proxy.url).toContain('svc:s3cr%3At@');
    const good = createProxyAgent(proxy.url);
    const bad = createProxyAgent(proxy.url.replace('s3cr%3At', 'wrong-hunter2'));
    try {
      const res = await get(`https://localhost:${port}/`, good, pki.caPem);
      expect(res.status).toBe(200);
      expect(proxy.records[0]?.proxyAuthorization).toBe(
        `Basic ${Buffer.from('svc:s3cr:t').toString('base64')}`,
      );
      const err = await get(`https://localhost:${port}/`, bad, pki.caPem).then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
      // node:http hands the agent's error to the request as it is, as the Fivetran client sees it.
      expect(err?.code).toBe('ERR_PROXY_CONNECT');
      expect(err).toBeInstanceOf(ProxyConnectError);
      expect((err as ProxyConnectError).proxyStatus).toBe(407);
      expect(err?.message).toMatch(/refused CONNECT localhost:\d+: 407/);
      expect(err?.message).not.toMatch(/hunter2|svc/);
    } finally {
      good.destroy();
      bad.destroy();
      await proxy.close();
    }
  });

  it('fails within the connect timeout when the proxy never answers', async () => {
    const silent = createHttpServer();
    const held: Socket[] = [];
    silent.on('connect', (_req, socket: Socket) => held.push(socket)); // never replies
    const silentPort = await listen(silent);
    const agent = createProxyAgent(`http://127.0.0.1:${silentPort}`, { connectTimeoutMs: 100 });
    const started = Date.now();
    try {
      await expect(get(`https://localhost:${port}/`, agent)).rejects.toThrow(
        /did not answer CONNECT localhost:\d+ within 100 ms/,
      );
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      agent.destroy();
      held.forEach((s) => s.destroy());
      await close(silent);
    }
  });
});

describe('plain http targets and the Fivetran client', () => {
  let proxy: LoopbackProxy;
  let server: HttpServer;
  let port: number;
  beforeAll(async () => {
    proxy = await startLoopbackProxy({ credentials: 'svc:pw' });
    server = createHttpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'Success', data: { path: req.url, host: req.headers.host } }));
    });
    port = await listen(server);
  });
  afterAll(async () => {
    await proxy.close();
    await close(server);
  });

  it('forwards an absolute-form request with Proxy-Authorization', async () => {
    const agent = createHttpProxyAgent(proxy.url);
    try {
      const res = await get(`http://127.0.0.1:${port}/v1/teams?limit=1`, agent);
      const body = JSON.parse(res.body) as { data: { path: string } };
      expect(body.data.path).toBe('/v1/teams?limit=1');
      expect(proxy.records.at(-1)).toEqual({
        method: 'GET',
        target: `http://127.0.0.1:${port}/v1/teams?limit=1`,
        proxyAuthorization: `Basic ${Buffer.from('svc:pw').toString('base64')}`,
      });
    } finally {
      agent.destroy();
    }
  });

  it('FivetranClient sends its calls through the router, and not when NO_PROXY lists the host', async () => {
    const make = (noProxy?: string) => {
      const router = new ProxyRouter({ httpProxy: proxy.url, ...(noProxy ? { noProxy } : {}) });
      const client = new FivetranClient({
        baseUrl: `http://127.0.0.1:${port}/v1`,
        apiKey: 'k',
        apiSecret: 's',
        timeoutMs: 5000,
        concurrency: 1,
        userAgent: 'baton-fivetran/test',
        log: pino({ level: 'silent' }),
        maxRetries: 0,
        proxy: router,
      });
      return { router, client };
    };
    const proxied = make();
    const before = proxy.records.length;
    try {
      const data = await proxied.client.request<{ path: string }>({
        method: 'GET',
        endpoint: '/v1/users/{id}',
        params: { id: 'u1' },
        signal: AbortSignal.timeout(5000),
      });
      expect(data?.path).toBe('/v1/users/u1');
      expect(proxy.records.slice(before).map((r) => r.target)).toEqual([
        `http://127.0.0.1:${port}/v1/users/u1`,
      ]);
    } finally {
      proxied.router.destroy();
    }
    const direct = make('127.0.0.1');
    const after = proxy.records.length;
    try {
      const data = await direct.client.request<{ path: string }>({
        method: 'GET',
        endpoint: '/v1/users/{id}',
        params: { id: 'u2' },
        signal: AbortSignal.timeout(5000),
      });
      expect(data?.path).toBe('/v1/users/u2');
      expect(proxy.records.length).toBe(after);
    } finally {
      direct.router.destroy();
    }
  });
});
