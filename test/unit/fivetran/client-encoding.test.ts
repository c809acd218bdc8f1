import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
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

  const bigItems = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ id: `u${i}`, email: `ü${i}@example.com`, given_name: 'Zoë' }));

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      const json = Buffer.from(JSON.stringify(page));
      const params = new URL(req.url ?? '/', 'http://x').searchParams;
      const pieces = Number(params.get('pieces') ?? 0);
      if (pieces > 0) {
        // A body of `pieces` writes, each split inside the two-byte 'ü' it ends with, plus a big one.
        const big = { ...page, data: { ...page.data, items: bigItems(Number(params.get('items'))) } };
        const bytes = Buffer.from(JSON.stringify(big));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
        const cut = bytes.indexOf(Buffer.from('ü'));
        res.write(bytes.subarray(0, cut + 1));
        const step = Math.ceil((bytes.length - cut - 1) / pieces);
        const rest = bytes.subarray(cut + 1);
        const writeFrom = (at: number): void => {
          if (at >= rest.length) return void res.end();
          res.write(rest.subarray(at, at + step), () => setImmediate(() => writeFrom(at + step)));
        };
        writeFrom(0);
        return;
      }
      const encoding = params.get('encoding') ?? 'identity';
      const encoded: Record<string, Buffer> = {
        identity: json,
        gzip: gzipSync(json),
        deflate: deflateSync(json),
        br: brotliCompressSync(json),
      };
      const headers: Record<string, string> = { 'content-type': 'application/json' };
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

  it.each(['identity', 'gzip', 'deflate', 'br'])('reads a %s body', async (encoding) => {
    const client = new FivetranClient({
      baseUrl,
      apiKey: 'k',
      apiSecret: 's',
      timeoutMs: 5_000,
      concurrency: 1,
      userAgent: 'test',
      log: logSink().log,
    });
    const p = await client.page({
      endpoint: '/v1/users',
      query: { encoding },
      signal: AbortSignal.timeout(5_000),
    });
    expect(p).toEqual({ items: page.data.items, nextCursor: 'c2' });
    expect(seen.at(-1)?.['accept-encoding']).toBe('gzip, deflate, br');
  });

  it.each([
    ['a small body in pieces', 10, 5],
    ['a body of about 1 MB', 20, 25_000],
    ['a body of about 5 MB, past the shared buffer', 40, 120_000],
  ])('decodes %s whose writes split a multi-byte character', async (_, pieces, items) => {
    const client = new FivetranClient({
      baseUrl,
      apiKey: 'k',
      apiSecret: 's',
      timeoutMs: 20_000,
      concurrency: 1,
      userAgent: 'test',
      log: logSink().log,
    });
    const p = await client.page<{ id: string; email: string; given_name: string }>({
      endpoint: '/v1/users',
      query: { pieces: String(pieces), items: String(items) },
      signal: AbortSignal.timeout(20_000),
    });
    expect(p.items).toEqual(bigItems(items));
    expect(p.nextCursor).toBe('c2');
  });
});
