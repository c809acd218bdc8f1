import type { Logger } from 'pino';
import { codeName, isBatonError, toBatonError, type Clock } from '../connector/index.js';
import type { BatonServiceClient } from './baton-service-client.js';
import { helloBackoffMs } from './backoff.js';
import { isFatalCode } from './grpc-error.js';

/**
 * Only the fatal codes stop start-up. Unlike `rpcError`'s `retryable`, a local deadline is retried here: a
 * deliberate difference from the SDK, which exits on it (control-plane.md §11).
 */
export const isRetryableHelloError = (err: unknown): boolean => !(isBatonError(err) && isFatalCode(err.code));

/**
 * Sends the start-up Hello (task id ""), retrying transient failures with 1 s doubling backoff capped at
 * 5 min, without limit, until it succeeds or `signal` aborts. Fatal codes are thrown at once.
 */
export async function startupHello(o: {
  client: BatonServiceClient;
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    o.signal.throwIfAborted();
    try {
      await o.client.hello('', { signal: o.signal });
      o.log.info({ attempt }, 'hello accepted by the control plane');
      return;
    } catch (err) {
      if (o.signal.aborted) throw o.signal.reason;
      const e = toBatonError(err);
      if (!isRetryableHelloError(e)) throw e;
      const waitMs = helloBackoffMs(attempt);
      o.log.warn({ err: e, grpcCode: codeName(e.code), attempt, waitMs }, 'hello failed; retrying');
      await o.clock.sleep(waitMs, o.signal);
    }
  }
}
