import { ConfigError } from './config-error.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const isLoopback = (host: string) => LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

/** `name@host[:port]/suffix`: the part before the first '@' and the host up to the first '/'. */
export function checkClientId(id: string, label: string): void {
  const at = id.indexOf('@');
  const rest = at >= 0 ? id.slice(at + 1) : '';
  // As the SDK parses it: the name may be empty, the host may not, and the '/' is required.
  if (at < 0 || rest.indexOf('/') <= 0) {
    throw new ConfigError(`invalid ${label}: expected <name>@<host>/<suffix>`);
  }
}

/** `secret-token:<x>:v1:<base64url JWK of an Ed25519 private key>`; the value itself is never echoed. */
export function checkClientSecret(secret: string, label: string): void {
  const parts = secret.split(':');
  const fail = (why: string): never => {
    throw new ConfigError(`invalid ${label}: ${why}`);
  };
  if (parts.length !== 4 || parts[2] !== 'v1') fail('expected secret-token:<issuer>:v1:<key>');
  let jwk: unknown;
  try {
    jwk = JSON.parse(Buffer.from(parts[3]!, 'base64url').toString('utf8'));
  } catch {
    return fail('the key part is not base64url-encoded JSON');
  }
  const k = jwk as Record<string, unknown>;
  if (k.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.d !== 'string' || typeof k.x !== 'string') {
    fail('the key is not an Ed25519 private key');
  }
}

export function checkBaseUrl(raw: string, label: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`invalid ${label}: not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new ConfigError(`invalid ${label}: must be https:// (http:// is accepted only for loopback hosts)`);
  }
  if (url.username || url.password) throw new ConfigError(`invalid ${label}: must not contain credentials`);
  return url.toString().replace(/\/+$/, '');
}

export function parseListenAddress(raw: string, label: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(raw.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`invalid ${label}: expected host:port, got "${raw}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
