import { pino, type Logger } from 'pino';
import type { Clock } from '../../../src/connector/index.js';
import {
  GrpcBatonClient,
  type GrpcBatonClientOptions,
} from '../../../src/control-plane/grpc-baton-client.js';
import type { FakeControlPlane } from '../../fakes/control-plane/index.js';

export const METADATA = { displayName: 'Fivetran', description: 'test connector' };

/** A pino logger writing parsed JSON lines into `lines`. */
export function logSink(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'debug' },
    { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  return { log, lines };
}

/** Real wall time, but sleeps are recorded and return at once (upload retry waits). */
export function instantClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
    },
  };
}

/** A client aimed at the fake through the BATON_C1_API_HOST-style override, trusting its CA. */
export function clientFor(cp: FakeControlPlane, over: Partial<GrpcBatonClientOptions> = {}): GrpcBatonClient {
  return new GrpcBatonClient({
    clientId: cp.clientId,
    clientSecret: cp.clientSecret,
    apiHostOverride: cp.host,
    hostId: 'test-host-1',
    helloInfo: () => ({ connectorMetadata: METADATA }),
    version: '1.2.3',
    httpTimeoutMs: 5000,
    log: logSink().log,
    extraCaPem: cp.caPem,
    ...over,
  });
}
