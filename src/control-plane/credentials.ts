import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { invalidArgument } from '../connector/index.js';

/** The parts of a client ID (`<clientName>@<tokenHost>/<suffix>`, spec control-plane §2.1). */
export interface ClientId {
  /** The whole string: JWT iss/sub and the form field client_id. */
  readonly clientId: string;
  /** First word of the gRPC user agent. */
  readonly clientName: string;
  /** Token and API host, possibly with `:port`. */
  readonly tokenHost: string;
}

export interface ClientSecret {
  /** Ed25519 private key. */
  readonly key: KeyObject;
  /** Only when the secret's JWK carries one (the service-mode token path never assigns a key id). */
  readonly kid?: string;
}

const PREFIX = 'baton-fivetran: ';
const SECRET_SHAPE = 'expected secret-token:<x>:<y>:v1:<key>';

/** Splits at the first `@`, then the rest at the first `/`; both must succeed. */
export function parseClientId(id: string): ClientId {
  const at = id.indexOf('@');
  const rest = at < 0 ? '' : id.slice(at + 1);
  const slash = rest.indexOf('/');
  if (at < 0 || slash < 0) {
    throw invalidArgument(`${PREFIX}invalid client id: expected <name>@<host>/<suffix>`);
  }
  return { clientId: id, clientName: id.slice(0, at), tokenHost: rest.slice(0, slash) };
}

// Messages never quote the secret or any part of it: the caller may log them.
const badSecret = (why: string) => invalidArgument(`${PREFIX}invalid client secret: ${why}`);

/** `secret-token:<x>:v1:<base64url JWK>` → the Ed25519 private key (spec control-plane §2.2). */
export function parseClientSecret(secret: string): ClientSecret {
  // Go's strings.SplitN(s, ":", 4): the fourth part keeps any further colons.
  const parts = secret.split(':');
  if (parts.length < 4) throw badSecret(SECRET_SHAPE);
  const version = parts[2];
  const blob = parts.slice(3).join(':');
  if (version !== 'v1') throw badSecret(`${SECRET_SHAPE} (unsupported version)`);
  if (!/^[A-Za-z0-9_-]+$/.test(blob)) throw badSecret('key is not base64url without padding');

  let jwk: unknown;
  try {
    jwk = JSON.parse(Buffer.from(blob, 'base64url').toString('utf8'));
  } catch {
    throw badSecret('key is not a JSON web key');
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw badSecret('key is not a JSON web key');
  }
  const fields = jwk as Record<string, unknown>;
  if (fields.kty !== 'OKP' || fields.crv !== 'Ed25519') throw badSecret('key is not an Ed25519 key');
  if (typeof fields.d !== 'string' || fields.d === '') throw badSecret('key is not a private key');

  let key: KeyObject;
  try {
    key = createPrivateKey({ key: fields as JsonWebKey, format: 'jwk' });
  } catch {
    throw badSecret('key is not a valid Ed25519 private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw badSecret('key is not an Ed25519 key');
  return typeof fields.kid === 'string' && fields.kid !== '' ? { key, kid: fields.kid } : { key };
}
