import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { Code } from '../../../src/connector/index.js';
import { FivetranClient } from '../../../src/fivetran/index.js';
import { logSink } from './support.js';

// Fivetran's pages are large JSON; the client asks for them compressed (as its previous HTTP library did) and
// reads gzip, deflate and brotli bodies as well as plain ones.
describe('FivetranClient response encodings', () => {
  let server: Server;
  let baseUrl: string;
  const seen: IncomingHttpHeaders[] = [];
  const page = {
    code: 'Success',
    data: { items: [{ id: 'u1', email: 'ü@example.com' }], next_cursor: 'c2' },
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      const json = Buffer.from(JSON.stringify(page));
      const encoding = new URL(req.url ?? '/', 'http://x').searchParams.get('encoding') ?? 'identity';
      const encoded: Record<string, Buffer> = {
        identity: json,
        gzip: gzipSync(json),
        deflate: deflateSync(json),
        br: brotliCompressSync(json),
      };
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (encoding === 'split') {
        // A multi-byte character cut between two network chunks must still decode as one character.
        const cut = json.indexOf(Buffer.from('ü')) + 1;
        res.writeHead(200, headers);
        res.write(json.subarray(0, cut));
        setTimeout(() => res.end(json.subarray(cut)), 20);
        return;
      }
      if (encoding === 'corrupt-gzip') {
        res.writeHead(200, { ...headers, 'content-encoding': 'gzip' });
        res.end(Buffer.from('not gzip at all'));
        return;
      }
      if (encoding === 'cut') {
        // The connection drops after half the promised body.
        res.writeHead(200, { ...headers, 'content-length': String(json.length) });
        res.write(json.subarray(0, json.length >> 1));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      if (encoding !== 'identity') headers['content-encoding'] = encoding;
      res.writeHead(200, headers);
      res.end(encoded[encoding]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const clientOf = () =>
    new FivetranClient({
      baseUrl,
      apiKey: 'k',
      apiSecret: 's',
      timeoutMs: 5_000,
      concurrency: 1,
      userAgent: 'test',
      log: logSink().log,
      maxRetries: 0,
    });

  it.each([
    ['corrupt-gzip', /network error: Z_DATA_ERROR/],
    ['cut', /network error: ECONNRESET/],
  ])('fails a %s body as a retryable network error', async (encoding, problem) => {
    const err = (await clientOf()
      .page({ endpoint: '/v1/users', query: { encoding }, signal: AbortSignal.timeout(5_000) })
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as { code?: unknown; retryable?: unknown; message?: unknown } | undefined;
    expect(err).toMatchObject({ code: Code.UNAVAILABLE, retryable: true });
    expect(err?.message).toMatch(problem);
  });

  it.each(['identity', 'gzip', 'deflate', 'br', 'split'])('reads a %s body', async (encoding) => {
    const client = clientOf();
    const p = await client.page({
      endpoint: '/v1/users',
      query: { encoding },
      signal: AbortSignal.timeout(5_000),
    });
    expect(p).toEqual({ items: page.data.items, nextCursor: 'c2' });
    expect(seen.at(-1)?.['accept-encoding']).toBe('gzip, deflate, br');
  });
});
