import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { ConnectorRegistry } from '../connector/index.js';
import { createFivetranConnector } from '../fivetran/index.js';
import { ProxyRouter } from '../net/index.js';
import type { Metrics } from '../ops/index.js';

/** HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the configuration, as one router for every outbound client. */
export const proxyRouterFor = (config: Config): ProxyRouter =>
  new ProxyRouter({
    httpsProxy: config.network.httpsProxy?.reveal(),
    httpProxy: config.network.httpProxy?.reveal(),
    noProxy: config.network.noProxy,
  });

/** The Fivetran connector wired to the configuration and, when given, to Prometheus. */
export function buildRegistry(o: {
  config: Config;
  log: Logger;
  version: string;
  metrics?: Metrics;
  /** Defaults to a router built from `config.network`. */
  proxy?: ProxyRouter;
}): ConnectorRegistry {
  const { fivetran } = o.config;
  const m = o.metrics;
  const proxy = o.proxy ?? proxyRouterFor(o.config);
  const via = proxy.describe(fivetran.baseUrl);
  if (via !== undefined) o.log.info({ proxy: via }, 'fivetran calls go through a proxy');
  const connector = createFivetranConnector({
    baseUrl: fivetran.baseUrl,
    apiKey: fivetran.apiKey,
    apiSecret: fivetran.apiSecret,
    timeoutMs: fivetran.timeoutMs,
    concurrency: fivetran.concurrency,
    maxListItems: fivetran.maxListItems,
    connectionUserScan: fivetran.connectionUserScan,
    log: o.log.child({ component: 'fivetran' }),
    version: o.version,
    ...(proxy.isEnabled ? { proxy } : {}),
    ...(m
      ? {
          metrics: {
            onRequest: (endpoint, status, durationMs) => {
              m.fivetranRequests.inc({ endpoint, status: String(status) });
              m.fivetranDuration.observe({ endpoint }, durationMs / 1000);
            },
            onRetry: (reason) => m.fivetranRetries.inc({ reason }),
            onRateLimitWait: (ms) => m.fivetranRateLimitWait.inc(ms / 1000),
            onRateLimitRemaining: (left) => m.fivetranRateLimitRemaining.set(left),
          },
        }
      : {}),
  });
  return new ConnectorRegistry(connector);
}
