import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Code, systemClock } from '../../../src/connector/index.js';
import { parseClientId, parseClientSecret } from '../../../src/control-plane/credentials.js';
import { TokenSource, type TokenSourceOptions } from '../../../src/control-plane/token-source.js';
import {
  createTestPki,
  startFakeControlPlane,
  type FakeControlPlane,
} from '../../fakes/control-plane/index.js';
import { createClientCredentials } from '../../fakes/control-plane/client-credentials.js';
import { rejection } from './client-harness.js';

const sourceFor = (cp: FakeControlPlane, over: Partial<TokenSourceOptions> = {}) =>
  new TokenSource({
    clientId: parseClientId(cp.clientId),
    secret: parseClientSecret(cp.clientSecret),
    apiHostOverride: cp.host,
    httpTimeoutMs: 5000,
    userAgent: 'baton-c1-credential-provider baton-fivetran/1.2.3',
    clock: systemClock,
    extraCaPem: cp.caPem,
    ...over,
  });

describe('TokenSource against the fake control plane', () => {
  let cp: FakeControlPlane;
  beforeAll(async () => {
    cp = await startFakeControlPlane();
  });
  afterAll(() => cp.close());

  it('posts a valid private_key_jwt request to the override host and normalises bearer to Bearer', async () => {
    const before = cp.tokenRequests.length;
    const source = sourceFor(cp);
    expect(source.tokenUrl).toBe(`https://${cp.host}/auth/v1/token`);
    const token = await source.getToken();
    expect(token.authorization).toMatch(/^Bearer \S+$/);
    expect(token.expiresAt).toBeGreaterThan(Date.now() + 3500_000);
    const [req] = cp.tokenRequests.slice(before);
    expect(req).toMatchObject({
      valid: true,
      status: 200,
      userAgent: 'baton-c1-credential-provider baton-fivetran/1.2.3',
      contentType: 'application/x-www-form-urlencoded',
    });
    // aud comes from the client id, not the override host
    expect(req?.assertionClaims?.aud).toBe('c1.example.test');
  });

  it('caches the token and shares one request among concurrent callers', async () => {
    const before = cp.tokenRequests.length;
    const source = sourceFor(cp);
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => source.getToken()));
    expect(new Set(tokens.map((t) => t.authorization)).size).toBe(1);
    await source.getToken();
    expect(cp.tokenRequests.length - before).toBe(1);
  });

  it('fails with UNAUTHENTICATED on a 401 answer', async () => {
    const source = sourceFor(cp);
    cp.failNext('token', 401);
    const err = await rejection(source.getToken());
    expect(err.code).toBe(Code.UNAUTHENTICATED);
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('baton-fivetran: failed to get token: 401 Unauthorized');
  });

  it.each([500, 502, 503, 504, 408, 429])(
    'fails with UNAVAILABLE (retryable) on a %i answer',
    async (status) => {
      cp.failNext('token', status);
      const err = await rejection(sourceFor(cp).getToken());
      expect(err.code).toBe(Code.UNAVAILABLE);
      expect(err.retryable).toBe(true);
    },
  );

  it('fails with UNAVAILABLE when nothing listens (connection refused)', async () => {
    await cp.goOffline();
    try {
      const err = await rejection(sourceFor(cp).getToken());
      expect(err.code).toBe(Code.UNAVAILABLE);
      expect(err.message).toMatch(/^baton-fivetran: failed to get token: .*(ECONNREFUSED|socket hang up)/);
    } finally {
      await cp.goOnline();
    }
  });

  it('fails with UNAVAILABLE and the status on a 503 answer, then recovers', async () => {
    const source = sourceFor(cp);
    cp.failNext('token', 503);
    const err = await rejection(source.getToken());
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.message).toBe('baton-fivetran: failed to get token: 503 Service Unavailable');
    expect(err.message).not.toContain(cp.clientSecret.slice(-20));
    await expect(source.getToken()).resolves.toMatchObject({
      authorization: expect.stringMatching(/^Bearer /),
    });
  });

  it('rejects a caller whose signal aborts, without cancelling the shared request for others', async () => {
    const source = sourceFor(cp);
    const ctl = new AbortController();
    const first = source.getToken(ctl.signal);
    const second = source.getToken();
    ctl.abort(new Error('caller gave up'));
    await expect(first).rejects.toThrow('caller gave up');
    await expect(second).resolves.toMatchObject({ authorization: expect.stringMatching(/^Bearer /) });
  });
});

describe('TokenSource refresh', () => {
  it('requests a new token once expiry minus 10 s has passed', async () => {
    // expires_in 10: expiry - 10 s is already now, so every call refreshes.
    const cp = await startFakeControlPlane({ tokenTtlSeconds: 10 });
    try {
      const source = sourceFor(cp);
      const a = await source.getToken();
      const b = await source.getToken();
      expect(cp.tokenRequests).toHaveLength(2);
      expect(a.authorization).not.toBe(b.authorization);
    } finally {
      await cp.close();
    }
  });

  it('keeps a token with 11 s left for the remaining second', async () => {
    const cp = await startFakeControlPlane({ tokenTtlSeconds: 11 });
    let now = Date.now();
    const clock = { ...systemClock, now: () => now };
    try {
      const source = sourceFor(cp, { clock });
      await source.getToken();
      now += 500;
      await source.getToken();
      expect(cp.tokenRequests).toHaveLength(1);
      now += 600; // 1.1 s after issue: inside the 10 s expiry delta
      await source.getToken();
      expect(cp.tokenRequests).toHaveLength(2);
    } finally {
      await cp.close();
    }
  });
});

describe('TokenSource response handling', () => {
  let server: Server;
  let host: string;
  let caPem: string;
  let reply: { status: number; body: string } = { status: 200, body: '{}' };
  beforeAll(async () => {
    const pki = createTestPki();
    caPem = pki.caPem;
    server = createServer({ key: pki.keyPem, cert: pki.certPem }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(reply.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `localhost:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const source = () =>
    new TokenSource({
      clientId: parseClientId('conn@c1.example.test/pcc'),
      secret: parseClientSecret(createClientCredentials().clientSecret),
      apiHostOverride: host,
      httpTimeoutMs: 5000,
      userAgent: 'test',
      clock: systemClock,
      extraCaPem: caPem,
    });

  it.each([
    ['', 'Bearer'],
    ['BEARER', 'Bearer'],
    ['mac', 'MAC'],
    ['basic', 'Basic'],
    ['DPoP', 'DPoP'],
  ])('turns token_type %j into %s', async (tokenType, expected) => {
    reply = {
      status: 200,
      body: JSON.stringify({ access_token: 'tok', token_type: tokenType, expires_in: 60 }),
    };
    await expect(source().getToken()).resolves.toMatchObject({ authorization: `${expected} tok` });
  });

  it.each([
    [
      'an empty access_token',
      JSON.stringify({ access_token: '', token_type: 'bearer', expires_in: 60 }),
      /empty access_token/,
    ],
  ])('fails with UNAUTHENTICATED on %s', async (_name, body, message) => {
    reply = { status: 200, body };
    const err = await rejection(source().getToken());
    expect(err.code).toBe(Code.UNAUTHENTICATED);
    expect(err.message).toMatch(message);
  });

  it('fails with UNAVAILABLE on a 200 body that is not JSON (a page from something in between)', async () => {
    reply = { status: 200, body: 'not json' };
    const err = await rejection(source().getToken());
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.message).toMatch(/not JSON/);
  });

  it.each([
    [400, 'invalid_client', Code.UNAUTHENTICATED],
    [400, 'invalid_grant', Code.UNAUTHENTICATED],
    [403, 'unauthorized_client', Code.UNAUTHENTICATED],
    [400, 'invalid_request', Code.UNAUTHENTICATED],
    [503, 'temporarily_unavailable', Code.UNAVAILABLE],
  ])('a %i answer with error %s is %s', async (status, error, code) => {
    reply = { status, body: JSON.stringify({ error }) };
    const err = await rejection(source().getToken());
    expect(err.code).toBe(code);
  });

  it('refetches per call when expires_in is missing', async () => {
    reply = { status: 200, body: JSON.stringify({ access_token: 'x', token_type: 'bearer' }) };
    const s = source();
    await expect(s.getToken()).resolves.toMatchObject({ authorization: 'Bearer x' });
    reply = { status: 200, body: JSON.stringify({ access_token: 'y', token_type: 'bearer' }) };
    await expect(s.getToken()).resolves.toMatchObject({ authorization: 'Bearer y' });
  });

  it('fails with UNAUTHENTICATED when the host does not answer TLS it trusts', async () => {
    const s = new TokenSource({
      clientId: parseClientId('conn@c1.example.test/pcc'),
      secret: parseClientSecret(createClientCredentials().clientSecret),
      apiHostOverride: host,
      httpTimeoutMs: 5000,
      userAgent: 'test',
      clock: systemClock,
    });
    const err = await rejection(s.getToken());
    expect(err.code).toBe(Code.UNAUTHENTICATED);
    expect(err.message).toMatch(/^baton-fivetran: failed to get token: /);
  });
});
