import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { systemClock } from '../../../src/connector/index.js';
import { parseClientId, parseClientSecret } from '../../../src/control-plane/credentials.js';
import { TokenSource } from '../../../src/control-plane/token-source.js';
import { ProxyRouter } from '../../../src/net/index.js';
import { startFakeControlPlane, type FakeControlPlane } from '../../fakes/control-plane/index.js';
import { startLoopbackProxy, type LoopbackProxy } from './connect-proxy.js';

describe('TokenSource through HTTPS_PROXY', () => {
  let cp: FakeControlPlane;
  let proxy: LoopbackProxy;
  beforeAll(async () => {
    cp = await startFakeControlPlane();
    proxy = await startLoopbackProxy({ credentials: 'svc:pw' });
  });
  afterAll(async () => {
    await proxy.close();
    await cp.close();
  });

  const fetchToken = async (noProxy?: string) => {
    const router = new ProxyRouter({ httpsProxy: proxy.url, ...(noProxy ? { noProxy } : {}) });
    try {
      const source = new TokenSource({
        clientId: parseClientId(cp.clientId),
        secret: parseClientSecret(cp.clientSecret),
        apiHostOverride: cp.host,
        httpTimeoutMs: 5000,
        userAgent: 'baton-c1-credential-provider baton-fivetran/test',
        clock: systemClock,
        extraCaPem: cp.caPem,
        proxy: router,
      });
      return await source.getToken();
    } finally {
      router.destroy();
    }
  };

  it('posts the token request inside a CONNECT tunnel to the control-plane host', async () => {
    const before = cp.tokenRequests.length;
    const token = await fetchToken();
    expect(token.authorization).toMatch(/^Bearer \S+$/);
    expect(proxy.records.at(-1)).toEqual({
      method: 'CONNECT',
      target: cp.host,
      proxyAuthorization: `Basic ${Buffer.from('svc:pw').toString('base64')}`,
    });
    expect(cp.tokenRequests.slice(before).map((r) => r.valid)).toEqual([true]);
  });

  it('goes direct when NO_PROXY lists the host', async () => {
    const before = proxy.records.length;
    await fetchToken('localhost');
    expect(proxy.records.length).toBe(before);
  });
});

describe('loadConfig: proxy variables', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'net-config-'));
  const load = (env: Record<string, string>) =>
    loadConfig({ flags: new Map(), env, isTTY: false, requireCredentials: false, cwd });

  it('is empty without the variables', () => {
    expect(load({}).network).toEqual({});
  });

  it('reads upper case before lower case, adds http:// to a bare host, and keeps NO_PROXY as written', () => {
    const { network } = load({
      HTTPS_PROXY: 'http://svc:hunter2@proxy.corp:3128',
      https_proxy: 'http://ignored:1',
      http_proxy: 'plain.corp:8080',
      no_proxy: '.internal, localhost',
    });
    expect(network.httpsProxy?.reveal()).toBe('http://svc:hunter2@proxy.corp:3128/');
    expect(network.httpProxy?.reveal()).toBe('http://plain.corp:8080/');
    expect(network.noProxy).toBe('.internal, localhost');
    expect(JSON.stringify(network)).not.toContain('hunter2');
  });

  it('falls back to the lower-case name when the upper-case one is empty', () => {
    expect(load({ HTTPS_PROXY: '', https_proxy: 'https://p:1' }).network.httpsProxy?.reveal()).toBe(
      'https://p:1/',
    );
  });

  it('refuses a non-http proxy naming the variable and not the value', () => {
    const attempt = () => load({ https_proxy: 'socks5://svc:hunter2@proxy:1080' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('invalid $https_proxy: the proxy must be http:// or https://, got socks5://');
    expect(() => load({ HTTP_PROXY: 'http://svc:hunter2@[oops' })).toThrow(
      /^invalid \$HTTP_PROXY: not a URL$/,
    );
  });

  it('refuses credentials with broken percent-encoding at start-up instead of failing later', () => {
    const attempt = () => load({ HTTPS_PROXY: 'http://svc:50%off@proxy:3128' });
    expect(attempt).toThrow('invalid $HTTPS_PROXY: bad percent-encoding in the proxy credentials');
  });
});
