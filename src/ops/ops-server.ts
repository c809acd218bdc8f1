import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface OpsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  /** Calls the connector's Validate (a real API call); throws when credentials or the API are broken. */
  readonly validate: (signal: AbortSignal) => Promise<unknown>;
  /** Whether the daemon can take tasks; `reason` explains a not-ready answer. */
  readonly readiness: () => { ready: boolean; reason?: string; details?: Record<string, string | number> };
  readonly log: Logger;
  readonly validateTimeoutMs?: number;
  /** How long a /health result is reused (default 5 s; 0 validates on every probe). */
  readonly healthCacheMs?: number;
  /** Epoch milliseconds for timestamps and the /health cache (default `Date.now`). */
  readonly now?: () => number;
}

const HEALTH_CACHE_MS = 5_000;

type Body = { status: string; timestamp: string; details?: Record<string, unknown> };

/** /metrics, and /health, /ready, /live with the SDK's JSON shape ({status, timestamp, details}). */
export class OpsServer {
  readonly #server: Server;
  readonly #o: OpsServerOptions;
  readonly #now: () => number;
  /** The latest /health validation, shared by concurrent probes and reused for HEALTH_CACHE_MS. */
  #health: { at: number; result: Promise<unknown> } | undefined;

  constructor(o: OpsServerOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (code: number, body: Body | string, type = 'application/json') => {
        res.writeHead(code, { 'content-type': type });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      const now = () => new Date(this.#now()).toISOString().replace(/\.\d+Z$/, 'Z');
      void (async () => {
        switch (path) {
          case '/metrics':
            return send(200, await o.registry.metrics(), o.registry.contentType);
          case '/live':
            return send(200, { status: 'alive', timestamp: now() });
          case '/ready': {
            const r = o.readiness();
            return r.ready
              ? send(200, { status: 'ready', timestamp: now(), ...(r.details ? { details: r.details } : {}) })
              : send(503, {
                  status: 'not_ready',
                  timestamp: now(),
                  details: { error: r.reason ?? 'not ready', ...r.details },
                });
          }
          case '/health':
            try {
              await this.#validate();
              return send(200, { status: 'healthy', timestamp: now() });
            } catch (err) {
              return send(503, {
                status: 'unhealthy',
                timestamp: now(),
                details: { error: 'connector validation failed', validation_error: (err as Error).message },
              });
            }
          default:
            return send(404, { status: 'not_found', timestamp: now() });
        }
      })().catch((err: unknown) => {
        o.log.error({ err }, 'ops request failed');
        if (!res.headersSent) send(500, { status: 'error', timestamp: now() });
      });
    });
  }

  /**
   * /health calls Fivetran; probes from many places must not spend the account's shared hourly quota, so a
   * result (success or failure) is reused for a few seconds and concurrent probes share one call.
   */
  #validate(): Promise<unknown> {
    const now = this.#now();
    if (!this.#health || now - this.#health.at >= (this.#o.healthCacheMs ?? HEALTH_CACHE_MS)) {
      const result = this.#o.validate(AbortSignal.timeout(this.#o.validateTimeoutMs ?? 30_000));
      result.catch(() => undefined);
      this.#health = { at: now, result };
    }
    return this.#health.result;
  }

  async listen(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#o.port, this.#o.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const a = this.#server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
