import { ConfigError } from './config-error.js';
import { Secret } from './secret.js';
import type { Config } from './config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The first non-empty of the names, upper case before lower case as Go's httpproxy reads them. */
const pick = (env: Env, names: readonly string[]): { name: string; value: string } | undefined => {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
};

/** `proxy:3128` becomes `http://proxy:3128`; only http:// and https:// proxies are accepted. */
const proxyUrl = (env: Env, names: readonly string[]): Secret | undefined => {
  const found = pick(env, names);
  if (!found) return undefined;
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(found.value) ? found.value : `http://${found.value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Never echo the value: it may hold a password.
    throw new ConfigError(`invalid $${found.name}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      `invalid $${found.name}: the proxy must be http:// or https://, got ${url.protocol.slice(0, -1)}://`,
    );
  }
  if (!url.hostname) throw new ConfigError(`invalid $${found.name}: no proxy host`);
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    throw new ConfigError(`invalid $${found.name}: bad percent-encoding in the proxy credentials`);
  }
  return new Secret(url.href);
};

/** HTTPS_PROXY / HTTP_PROXY / NO_PROXY and their lower-case forms (standard names, no BATON_ prefix). */
export function readNetworkSettings(env: Env): Config['network'] {
  const httpsProxy = proxyUrl(env, ['HTTPS_PROXY', 'https_proxy']);
  const httpProxy = proxyUrl(env, ['HTTP_PROXY', 'http_proxy']);
  const noProxy = pick(env, ['NO_PROXY', 'no_proxy'])?.value;
  return Object.freeze({
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(httpProxy ? { httpProxy } : {}),
    ...(noProxy ? { noProxy } : {}),
  });
}
