import { BatonError, type Clock } from '../../../src/connector/index.js';
import {
  GrpcBatonClient,
  type GrpcBatonClientOptions,
} from '../../../src/control-plane/grpc-baton-client.js';
import type { FakeControlPlane } from '../../fakes/control-plane/index.js';
import { logSink } from '../tasks/support.js';

export { logSink };

export const METADATA = { displayName: 'Fivetran', description: 'test connector' };

/** The BatonError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(p: Promise<unknown>): Promise<BatonError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BatonError);
  return err as BatonError;
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
