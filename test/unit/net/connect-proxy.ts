import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ProxyRecord {
  readonly method: string;
  /** `host:port` for CONNECT, the absolute URL for forwarded requests. */
  readonly target: string;
  readonly proxyAuthorization?: string;
}

export interface LoopbackProxy {
  /** `http://127.0.0.1:PORT` (with `user:password@`, percent-encoded, when credentials are required). */
  readonly url: string;
  readonly records: readonly ProxyRecord[];
  close(): Promise<void>;
}

/** 'user:pass:word' → 'user:pass%3Aword@' (the first colon separates user and password). */
const userinfo = (credentials: string | undefined): string => {
  if (!credentials) return '';
  const i = credentials.indexOf(':');
  return `${encodeURIComponent(credentials.slice(0, i))}:${encodeURIComponent(credentials.slice(i + 1))}@`;
};

const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\]):\d+$/;

/**
 * A loopback HTTP proxy for tests: CONNECT tunnels and absolute-form forwarding, to loopback targets only.
 * With `credentials` ('user:password'), anything without the matching Proxy-Authorization gets 407.
 */
export async function startLoopbackProxy(o: { credentials?: string } = {}): Promise<LoopbackProxy> {
  const records: ProxyRecord[] = [];
  const sockets = new Set<Duplex>();
  const expected = o.credentials && `Basic ${Buffer.from(o.credentials).toString('base64')}`;
  const allowed = (auth: string | undefined) => !expected || auth === expected;
  const track = (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const auth = req.headers['proxy-authorization'];
    records.push({ method: req.method ?? '', target: req.url ?? '', proxyAuthorization: auth });
    if (!allowed(auth)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const target = new URL(req.url ?? '');
    if (!LOOPBACK.test(target.host)) {
      res.writeHead(403).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = request(target, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connection', track);
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const auth = req.headers['proxy-authorization'];
    const target = req.url ?? '';
    records.push({ method: 'CONNECT', target, proxyAuthorization: auth });
    if (!allowed(auth)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    if (!LOOPBACK.test(target)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const i = target.lastIndexOf(':');
    const upstream = connect(Number(target.slice(i + 1)), target.slice(0, i).replace(/^\[(.*)\]$/, '$1'));
    track(upstream);
    upstream.on('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${userinfo(o.credentials)}127.0.0.1:${port}`,
    records,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
