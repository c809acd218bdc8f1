import { bypassesProxy, parseProxyUrl, proxyFor, redactProxyUrl } from '../../../src/net/index.js';

describe('bypassesProxy (NO_PROXY)', () => {
  const table: [noProxy: string | undefined, url: string, bypass: boolean][] = [
    [undefined, 'https://api.fivetran.com', false],
    ['', 'https://api.fivetran.com', false],
    ['*', 'https://api.fivetran.com', true],
    ['fivetran.com', 'https://api.fivetran.com', true],
    ['fivetran.com', 'https://fivetran.com', true],
    ['fivetran.com', 'https://notfivetran.com', false],
    ['FIVETRAN.COM', 'https://Api.Fivetran.Com.', true],
    ['.fivetran.com', 'https://api.fivetran.com', true],
    ['.fivetran.com', 'https://fivetran.com', false],
    ['*.fivetran.com', 'https://api.fivetran.com', true],
    ['*.fivetran.com', 'https://fivetran.com', false],
    ['example.org, api.fivetran.com', 'https://api.fivetran.com', true],
    ['example.org ,  other.net', 'https://api.fivetran.com', false],
    ['api.fivetran.com:443', 'https://api.fivetran.com', true],
    ['api.fivetran.com:8443', 'https://api.fivetran.com', false],
    ['api.fivetran.com:8443', 'https://api.fivetran.com:8443/v1', true],
    ['localhost:80', 'http://localhost', true],
    // loopback is not special unless listed
    ['example.org', 'https://localhost:8443', false],
    ['example.org', 'https://127.0.0.1:8443', false],
    ['localhost', 'https://localhost:8443', true],
    ['127.0.0.1', 'https://127.0.0.1:8443', true],
    ['127.0.0.1', 'https://127.0.0.2', false],
    ['127.0.0.0/8', 'https://127.0.0.2', true],
    ['10.0.0.0/8', 'https://127.0.0.2', false],
    ['10.0.0.0/8', 'https://ten.example', false],
    ['::1', 'https://[::1]:8443', true],
    ['[::1]:8443', 'https://[::1]:8443', true],
    ['[::1]:9443', 'https://[::1]:8443', false],
    ['fd00::/8', 'https://[fd00::5]', true],
    ['1.2.3.4', 'https://x.1.2.3.4.example', false],
  ];
  it.each(table)('NO_PROXY=%j, %s → bypass %s', (noProxy, url, bypass) => {
    expect(bypassesProxy(new URL(url), noProxy)).toBe(bypass);
  });
});

describe('proxyFor', () => {
  const env = {
    httpsProxy: 'http://u:p@proxy.corp:3128',
    httpProxy: 'plain.corp:8080',
    noProxy: '.internal',
  };

  it('uses HTTPS_PROXY for https targets and HTTP_PROXY for http ones, without fallback', () => {
    expect(proxyFor('https://api.fivetran.com/v1', env)?.href).toBe('http://u:p@proxy.corp:3128/');
    expect(proxyFor('http://api.fivetran.com/v1', env)?.href).toBe('http://plain.corp:8080/');
    expect(proxyFor('http://api.fivetran.com', { httpsProxy: env.httpsProxy })).toBeUndefined();
    expect(proxyFor('https://api.fivetran.com', { httpProxy: env.httpProxy })).toBeUndefined();
  });

  it('honours NO_PROXY and ignores empty values', () => {
    expect(proxyFor('https://db.internal', env)).toBeUndefined();
    expect(proxyFor('https://api.fivetran.com', { httpsProxy: '  ' })).toBeUndefined();
  });
});

describe('parseProxyUrl', () => {
  it('reads a bare host:port as http and keeps https proxies', () => {
    expect(parseProxyUrl('proxy:3128').href).toBe('http://proxy:3128/');
    expect(parseProxyUrl('https://proxy.corp').protocol).toBe('https:');
  });

  it('refuses other schemes and bad URLs without repeating the value', () => {
    expect(() => parseProxyUrl('socks5://u:hunter2@proxy:1080')).toThrow(/scheme must be http or https/);
    let message = '';
    try {
      parseProxyUrl('http://u:hunter2@[bad');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/not a valid URL/);
    expect(message).not.toContain('hunter2');
  });

  it('redacts credentials for logs', () => {
    expect(redactProxyUrl(parseProxyUrl('http://user:hunter2@proxy.corp:3128/x?y'))).toBe(
      'http://proxy.corp:3128',
    );
  });
});
