import type { Agent } from 'node:http';
import { request } from 'node:https';
import type { Logger } from 'pino';
import { BatonError, unauthenticated, unavailable, type Clock } from '../connector/index.js';
import { audienceFor, createClientAssertion } from './client-assertion.js';
import type { ClientId, ClientSecret } from './credentials.js';
import { tlsRoots } from './tls-roots.js';

export interface Token {
  /** The gRPC `authorization` metadata value, e.g. `Bearer abc`. */
  readonly authorization: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** Chooses the connection agent for an outbound URL: a proxy tunnel, or undefined to connect directly. */
export interface OutboundAgents {
  agentFor(url: URL): Agent | undefined;
}

export interface TokenSourceOptions {
  readonly clientId: ClientId;
  readonly secret: ClientSecret;
  /** BATON_C1_API_HOST when present (even empty): replaces the token host, never the assertion's aud. */
  readonly apiHostOverride?: string;
  readonly httpTimeoutMs: number;
  /** `baton-c1-credential-provider baton-fivetran/<version>` */
  readonly userAgent: string;
  readonly clock: Clock;
  /** Extra trusted CA (PEM) on top of Node's default store; for in-process tests. */
  readonly extraCaPem?: string;
  readonly random?: (size: number) => Buffer;
  readonly log?: Logger;
  /** HTTPS_PROXY / NO_PROXY routing for the token request; absent means a direct connection. */
  readonly proxy?: OutboundAgents;
  /** Observes each token request's outcome (for metrics). */
  readonly onRefresh?: (ok: boolean) => void;
}

// oauth2's defaultExpiryDelta: a token counts as expired this long before its expiry.
const EXPIRY_DELTA_MS = 10_000;
const MAX_BODY_BYTES = 1 << 20;
const TOKEN_TYPES: Record<string, string> = { bearer: 'Bearer', mac: 'MAC', basic: 'Basic', '': 'Bearer' };

const tokenError = (why: string, cause?: unknown) =>
  unauthenticated(`baton-fivetran: failed to get token: ${why}`, cause === undefined ? {} : { cause });
/** The token endpoint could not be reached or answered a server error: retryable, unlike bad credentials. */
const tokenUnavailable = (why: string, cause?: unknown) =>
  unavailable(`baton-fivetran: failed to get token: ${why}`, cause === undefined ? {} : { cause });

// OAuth2 error codes (RFC 6749 §5.2) that mean the credentials themselves were refused.
const CREDENTIAL_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'invalid_grant']);
// Statuses a retry can fix: the server or a gateway in front of it is overloaded, restarting or timed out.
const isTransientStatus = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * Unlike grpc-go, which reports every token failure as Unauthenticated (control-plane.md §2.4), only a refusal
 * of the credentials is final here: a 401, or an OAuth2 credential error. Connection failures, timeouts and
 * 5xx/408/429 are UNAVAILABLE, so start-up retries them instead of exiting.
 */
function statusError(status: number, statusText: string, body: string): BatonError {
  if (status === 401) return tokenError(statusText);
  if (isTransientStatus(status)) return tokenUnavailable(statusText);
  let oauthError: unknown;
  try {
    oauthError = (JSON.parse(body) as { error?: unknown }).error;
  } catch {
    // not JSON: decided by the status alone
  }
  const why =
    typeof oauthError === 'string' && CREDENTIAL_ERRORS.has(oauthError)
      ? `${statusText} ${oauthError}`
      : statusText;
  return tokenError(why);
}

// TLS verification failures: the endpoint is not who it claims to be, which a retry does not change.
const isCertificateError = (err: NodeJS.ErrnoException) =>
  /CERT|SIGNATURE|SELF_SIGNED|ALTNAME|ISSUER/.test(err.code ?? '');

/** A failed token request: a certificate problem is final, any other transport failure is UNAVAILABLE. */
function transportError(err: NodeJS.ErrnoException): BatonError {
  return isCertificateError(err) ? tokenError(err.message, err) : tokenUnavailable(err.message, err);
}

/**
 * OAuth2 client_credentials with a private_key_jwt assertion against `https://<host>/auth/v1/token`
 * (spec control-plane §2.3). One cached token shared by all calls; concurrent refreshes share one request.
 */
export class TokenSource {
  readonly #o: TokenSourceOptions;
  readonly #url: URL;
  readonly #ca: string | undefined;
  readonly #agent: Agent | undefined;
  #token: Token | undefined;
  #inflight: Promise<Token> | undefined;

  constructor(o: TokenSourceOptions) {
    this.#o = o;
    this.#url = new URL(`https://${o.apiHostOverride ?? o.clientId.tokenHost}/auth/v1/token`);
    this.#ca = o.extraCaPem === undefined ? undefined : tlsRoots(o.extraCaPem);
    this.#agent = o.proxy?.agentFor(this.#url);
  }

  get tokenUrl(): string {
    return this.#url.href;
  }

  async getToken(signal?: AbortSignal): Promise<Token> {
    signal?.throwIfAborted();
    const cached = this.#token;
    if (cached && this.#o.clock.now() < cached.expiresAt - EXPIRY_DELTA_MS) return cached;
    if (!this.#inflight) {
      const onRefresh = this.#o.onRefresh;
      this.#inflight = this.#fetch()
        .then(
          (t) => (onRefresh?.(true), t),
          (err: unknown) => {
            onRefresh?.(false);
            throw err;
          },
        )
        .finally(() => (this.#inflight = undefined));
    }
    return raceSignal(this.#inflight, signal);
  }

  /** The token calls would use now, if one is cached (it may be about to be refreshed). */
  get cached(): Token | undefined {
    return this.#token;
  }

  /**
   * Forgets `token` if it is still the cached one: the server refused it (revoked or rotated before its
   * expiry), so the next call fetches a fresh one instead of failing until the old one expires.
   */
  invalidate(token: Token): void {
    if (this.#token === token) {
      this.#token = undefined;
      this.#o.log?.warn('control-plane token rejected; a new one will be requested');
    }
  }

  async #fetch(): Promise<Token> {
    const { clientId, secret, clock } = this.#o;
    const assertion = createClientAssertion({
      clientId: clientId.clientId,
      audience: audienceFor(clientId.tokenHost),
      key: secret.key,
      ...(secret.kid === undefined ? {} : { kid: secret.kid }),
      now: clock.now(),
      ...(this.#o.random ? { random: this.#o.random } : {}),
    });
    // Keys in sorted order, as Go's url.Values.Encode writes them.
    const form = new URLSearchParams([
      ['client_assertion', assertion],
      ['client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
      ['client_id', clientId.clientId],
      ['grant_type', 'client_credentials'],
    ]).toString();

    const res = await this.#post(form);
    if (res.status !== 200) throw statusError(res.status, res.statusText, res.body);
    let body: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(res.body) as typeof body;
    } catch (err) {
      // A 200 that is not JSON comes from something in between (a captive proxy, a gateway page): retry.
      throw tokenUnavailable('response is not JSON', err);
    }
    const accessToken = typeof body.access_token === 'string' ? body.access_token : '';
    if (accessToken === '') throw tokenError('response has an empty access_token');
    const rawType = typeof body.token_type === 'string' ? body.token_type : '';
    const type = TOKEN_TYPES[rawType.toLowerCase()] ?? rawType;
    const expiresInS =
      typeof body.expires_in === 'number' && Number.isFinite(body.expires_in) ? body.expires_in : 0;
    const token = { authorization: `${type} ${accessToken}`, expiresAt: clock.now() + expiresInS * 1000 };
    this.#token = token;
    this.#o.log?.debug({ expiresInS }, 'control-plane token obtained');
    return token;
  }

  #post(form: string): Promise<{ status: number; statusText: string; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        this.#url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(form),
            'user-agent': this.#o.userAgent,
            accept: 'application/json',
          },
          minVersion: 'TLSv1.2',
          ...(this.#ca === undefined ? {} : { ca: this.#ca }),
          ...(this.#agent === undefined ? {} : { agent: this.#agent }),
          signal: AbortSignal.timeout(this.#o.httpTimeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) req.destroy(new Error('token response too large'));
            else chunks.push(chunk);
          });
          res.on('error', (err) => reject(transportError(err)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            resolve({
              status,
              statusText: `${status} ${res.statusMessage ?? ''}`.trim(),
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      req.on('error', (err) => reject(err instanceof BatonError ? err : transportError(err)));
      req.end(form);
    });
  }
}

/** Waits for `p`, or rejects as soon as `signal` aborts (the shared refresh itself keeps running). */
function raceSignal<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}
