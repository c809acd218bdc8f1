import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { ConnectorRegistry } from '../connector/index.js';
import { createFivetranConnector } from '../fivetran/index.js';
import type { Metrics } from '../ops/index.js';

/** The Fivetran connector wired to the configuration and, when given, to Prometheus. */
export function buildRegistry(o: {
  config: Config;
  log: Logger;
  version: string;
  metrics?: Metrics;
}): ConnectorRegistry {
  const { fivetran } = o.config;
  const m = o.metrics;
  const connector = createFivetranConnector({
    baseUrl: fivetran.baseUrl,
    apiKey: fivetran.apiKey,
    apiSecret: fivetran.apiSecret,
    timeoutMs: fivetran.timeoutMs,
    concurrency: fivetran.concurrency,
    log: o.log.child({ component: 'fivetran' }),
    version: o.version,
    ...(m
      ? {
          metrics: {
            onRequest: (endpoint, status, durationMs) => {
              m.fivetranRequests.inc({ endpoint, status: String(status) });
              m.fivetranDuration.observe({ endpoint }, durationMs / 1000);
            },
            onRetry: (reason) => m.fivetranRetries.inc({ reason }),
            onRateLimitWait: (ms) => m.fivetranRateLimitWait.inc(ms / 1000),
          },
        }
      : {}),
  });
  return new ConnectorRegistry(connector);
}
