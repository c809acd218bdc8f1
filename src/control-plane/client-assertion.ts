import { randomBytes, sign, type KeyObject } from 'node:crypto';

export interface ClientAssertionOptions {
  /** The full client ID: iss and sub. */
  readonly clientId: string;
  /** The client ID's host without port (never BATON_C1_API_HOST). */
  readonly audience: string;
  readonly key: KeyObject;
  readonly kid?: string;
  /** Epoch milliseconds. */
  readonly now: number;
  /** Source of the 16 nonce bytes; defaults to crypto.randomBytes. */
  readonly random?: (size: number) => Buffer;
}

const b64url = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * Compact JWS (EdDSA) for the private_key_jwt token request, shaped as go-jose v4 signs it:
 * header `{alg, [kid], nonce}`, claims `{aud (string), exp, iat, iss, nbf, sub}` (spec control-plane §2.3).
 */
export function createClientAssertion(o: ClientAssertionOptions): string {
  const nonce = (o.random ?? randomBytes)(16).toString('hex');
  const header = o.kid === undefined ? { alg: 'EdDSA', nonce } : { alg: 'EdDSA', kid: o.kid, nonce };
  const iat = Math.floor(o.now / 1000);
  const claims = {
    aud: o.audience,
    exp: iat + 120,
    iat,
    iss: o.clientId,
    nbf: iat - 120,
    sub: o.clientId,
  };
  const signingInput = `${b64url(header)}.${b64url(claims)}`;
  const signature = sign(null, Buffer.from(signingInput, 'ascii'), o.key).toString('base64url');
  return `${signingInput}.${signature}`;
}

/** The client ID host with any `:port` removed (IPv6 literals keep their brackets stripped too). */
export function audienceFor(tokenHost: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d*)?$/.exec(tokenHost);
  if (bracketed) return bracketed[1] ?? tokenHost;
  const colon = tokenHost.lastIndexOf(':');
  return colon >= 0 && tokenHost.indexOf(':') === colon ? tokenHost.slice(0, colon) : tokenHost;
}
