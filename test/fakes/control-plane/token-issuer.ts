import { randomBytes, verify } from 'node:crypto';
import type { ClientCredentials } from './client-credentials.js';

export interface RecordedTokenRequest {
  readonly at: number;
  readonly httpVersion: string;
  readonly userAgent?: string;
  readonly contentType?: string;
  /** The form fields as sent (the last value wins for a repeated key; repeats make it invalid). */
  readonly form: Record<string, string>;
  readonly assertionHeader?: Record<string, unknown>;
  readonly assertionClaims?: Record<string, unknown>;
  /** Whether the request passed every check of spec control-plane §2.3 / §12.3-4. */
  readonly valid: boolean;
  /** Why it did not. */
  readonly reason?: string;
  /** The HTTP status answered (a `failNext('token', …)` status wins over 200/401). */
  readonly status: number;
}

export interface IssuedToken {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
}

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const FORM_KEYS = ['client_assertion', 'client_assertion_type', 'client_id', 'grant_type'];
const HEADER_KEYS = ['alg', 'nonce'];
const CLAIM_KEYS = ['aud', 'exp', 'iat', 'iss', 'nbf', 'sub'];
const SKEW_SECONDS = 5;

const sameKeys = (o: object, keys: string[]): boolean =>
  JSON.stringify(Object.keys(o).sort()) === JSON.stringify(keys);

const parseJson = (b64: string): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(Buffer.from(b64, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

export interface AssertionCheck {
  readonly form: Record<string, string>;
  readonly assertionHeader?: Record<string, unknown>;
  readonly assertionClaims?: Record<string, unknown>;
  readonly reason?: string;
}

/** Checks a token request body against the SDK's client_credentials + private_key_jwt shape. */
export function checkTokenRequest(
  body: string,
  contentType: string | undefined,
  creds: ClientCredentials,
  nowMs: number,
): AssertionCheck {
  const params = new URLSearchParams(body);
  const form = Object.fromEntries(params);
  const fail = (reason: string, extra: Partial<AssertionCheck> = {}): AssertionCheck => ({
    form,
    ...extra,
    reason,
  });
  if (contentType?.split(';')[0]?.trim() !== 'application/x-www-form-urlencoded')
    return fail(`content-type is ${contentType ?? 'absent'}`);
  const keys = [...params.keys()].sort();
  if (JSON.stringify(keys) !== JSON.stringify(FORM_KEYS)) return fail(`form keys are ${keys.join(',')}`);
  if (form.grant_type !== 'client_credentials') return fail('grant_type is not client_credentials');
  if (form.client_id !== creds.clientId) return fail('client_id does not match');
  if (form.client_assertion_type !== ASSERTION_TYPE) return fail('client_assertion_type is wrong');

  const parts = (form.client_assertion ?? '').split('.');
  if (parts.length !== 3) return fail('client_assertion is not a compact JWS');
  const [h = '', p = '', s = ''] = parts;
  const assertionHeader = parseJson(h);
  const assertionClaims = parseJson(p);
  const seen = { assertionHeader, assertionClaims };
  if (!assertionHeader || !assertionClaims)
    return fail('assertion header or claims are not JSON objects', seen);
  if (!sameKeys(assertionHeader, HEADER_KEYS))
    return fail(`header keys are ${Object.keys(assertionHeader).join(',')}`, seen);
  if (assertionHeader.alg !== 'EdDSA') return fail('alg is not EdDSA', seen);
  if (typeof assertionHeader.nonce !== 'string' || !/^[0-9a-f]{32}$/.test(assertionHeader.nonce))
    return fail('nonce is not 32 lowercase hex characters', seen);
  if (!sameKeys(assertionClaims, CLAIM_KEYS))
    return fail(`claim keys are ${Object.keys(assertionClaims).join(',')}`, seen);
  const c = assertionClaims;
  if (c.iss !== creds.clientId || c.sub !== creds.clientId) return fail('iss/sub is not the client id', seen);
  if (c.aud !== creds.audience) return fail(`aud is ${JSON.stringify(c.aud)}`, seen);
  const now = Math.floor(nowMs / 1000);
  if (!Number.isInteger(c.iat) || Math.abs((c.iat as number) - now) > SKEW_SECONDS)
    return fail('iat is not now', seen);
  if (c.nbf !== (c.iat as number) - 120) return fail('nbf is not iat - 120', seen);
  if (c.exp !== (c.iat as number) + 120) return fail('exp is not iat + 120', seen);
  const signed = Buffer.from(`${h}.${p}`, 'ascii');
  if (!verify(null, signed, creds.publicKey, Buffer.from(s, 'base64url')))
    return fail('signature does not verify', seen);
  return { form, ...seen };
}

/** The scheme the client must put before the token: `token_type` normalized as the SDK does (spec §2.4). */
export function authScheme(tokenType: string): string {
  const canonical: Record<string, string> = { '': 'Bearer', bearer: 'Bearer', mac: 'MAC', basic: 'Basic' };
  return canonical[tokenType.toLowerCase()] ?? tokenType;
}

/** Issues random bearer tokens and remembers when each expires. */
export class TokenIssuer {
  readonly #tokens = new Map<string, number>();
  readonly #ttlSeconds: number;
  readonly #tokenType: string;
  readonly #now: () => number;

  constructor(o: { ttlSeconds: number; tokenType: string; now: () => number }) {
    this.#ttlSeconds = o.ttlSeconds;
    this.#tokenType = o.tokenType;
    this.#now = o.now;
  }

  issue(): IssuedToken {
    const token = randomBytes(24).toString('base64url');
    // expires_in 0 makes the client fetch per call; the server still honours it for a minute.
    const validSeconds = this.#ttlSeconds > 0 ? this.#ttlSeconds : 60;
    this.#tokens.set(token, this.#now() + validSeconds * 1000);
    return { access_token: token, token_type: this.#tokenType, expires_in: this.#ttlSeconds };
  }

  /** Whether an `authorization` value is `<scheme> <token>` with a live token of ours. */
  authorizes(header: string | undefined): boolean {
    const space = header?.indexOf(' ') ?? -1;
    if (!header || space < 0 || header.slice(0, space) !== authScheme(this.#tokenType)) return false;
    const expiry = this.#tokens.get(header.slice(space + 1));
    return expiry !== undefined && this.#now() < expiry;
  }

  /** Every token issued so far stops working: the next RPC with one gets UNAUTHENTICATED. */
  expireAll(): void {
    for (const token of this.#tokens.keys()) this.#tokens.set(token, 0);
  }
}
