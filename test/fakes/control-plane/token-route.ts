import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { ClientCredentials } from './client-credentials.js';
import { checkTokenRequest, type RecordedTokenRequest, type TokenIssuer } from './token-issuer.js';

export const TOKEN_PATH = '/auth/v1/token';

/** What HTTP/1.1 and HTTP/2 compatibility responses have in common, as far as we use them. */
export interface PlainResponse {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(body: string): unknown;
}

const sendJson = (res: PlainResponse, status: number, body: object): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

/**
 * `POST /auth/v1/token` over HTTP/1.1 or HTTP/2: checks the private_key_jwt client assertion and answers a
 * fresh bearer token (200) or 401 `invalid_client`; a scripted failure status wins over both.
 */
export function serveTokenRequest(
  req: IncomingMessage | Http2ServerRequest,
  res: PlainResponse,
  o: {
    creds: ClientCredentials;
    issuer: TokenIssuer;
    now: () => number;
    failStatus: () => number | undefined;
    record: (r: RecordedTokenRequest) => void;
  },
): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = o.now();
    const contentType = req.headers['content-type'];
    const check =
      req.method === 'POST'
        ? checkTokenRequest(Buffer.concat(chunks).toString('utf8'), contentType, o.creds, at)
        : { form: {}, reason: `method is ${req.method}` };
    const failStatus = o.failStatus();
    const status = failStatus ?? (check.reason === undefined ? 200 : 401);
    o.record({
      at,
      httpVersion: req.httpVersion,
      ...(req.headers['user-agent'] !== undefined ? { userAgent: req.headers['user-agent'] } : {}),
      ...(contentType !== undefined ? { contentType } : {}),
      ...check,
      valid: check.reason === undefined,
      status,
    });
    if (status === 200) sendJson(res, 200, o.issuer.issue());
    else if (failStatus !== undefined) sendJson(res, status, { error: 'scripted_failure' });
    else sendJson(res, 401, { error: 'invalid_client', error_description: check.reason });
  });
}
