import { request } from 'node:http';

/** The `health-check` subcommand's probe: GET http://host:port/<endpoint>; true only on HTTP 200. */
export function probeHealth(o: { host: string; port: number; endpoint: string; timeoutMs: number }): Promise<{
  ok: boolean;
  status?: number;
  body?: string;
  error?: string;
}> {
  const host = o.host === '0.0.0.0' || o.host === '' ? '127.0.0.1' : o.host === '::' ? '::1' : o.host;
  return new Promise((resolve) => {
    const req = request(
      { host, port: o.port, path: `/${o.endpoint}`, method: 'GET', timeout: o.timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ ok: res.statusCode === 200, status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${o.timeoutMs} ms`)));
    req.on('error', (err) => resolve({ ok: false, error: err.message }));
    req.end();
  });
}
