import { BatonError, Code } from '../../../src/connector/index.js';
import { rpcError } from '../../../src/control-plane/grpc-error.js';
import { isRetryableHelloError, startupHello } from '../../../src/control-plane/startup-hello.js';
import { MemoryBatonClient } from '../../fakes/memory-baton-client.js';
import { instantClock, logSink } from './client-harness.js';

const FATAL = [
  Code.UNAUTHENTICATED,
  Code.PERMISSION_DENIED,
  Code.INVALID_ARGUMENT,
  Code.UNIMPLEMENTED,
  Code.FAILED_PRECONDITION,
  Code.NOT_FOUND,
];

const grpcFailure = (code: number) => Object.assign(new Error(`code ${code}`), { code });

describe('startupHello', () => {
  const setup = () => ({ client: new MemoryBatonClient(), clock: instantClock(), log: logSink().log });

  it('retries transient failures, a local deadline included, with 1 s doubling backoff', async () => {
    const { client, clock, log } = setup();
    // A local deadline is not retryable as an RPC error, but start-up keeps trying (a deliberate choice).
    const localDeadline = rpcError(grpcFailure(Code.DEADLINE_EXCEEDED), {
      method: 'Hello',
      isLocalDeadline: true,
    });
    expect(localDeadline.retryable).toBe(false);
    client
      .failNext('hello', rpcError(grpcFailure(Code.UNAVAILABLE), { method: 'Hello' }))
      .failNext('hello', localDeadline)
      .failNext('hello', new Error('GetMetadata failed'));
    await startupHello({ client, clock, log, signal: new AbortController().signal });
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(client.calls).toEqual(Array(4).fill({ method: 'hello', taskId: '' }));
  });

  it.each(FATAL)('gives up at once on fatal code %i', async (code) => {
    const { client, clock, log } = setup();
    client.failNext('hello', rpcError(grpcFailure(code), { method: 'Hello' }));
    const err = await startupHello({ client, clock, log, signal: new AbortController().signal }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BatonError);
    expect((err as BatonError).code).toBe(code);
    expect(clock.sleeps).toEqual([]);
    expect(client.count('hello')).toBe(1);
  });

  it('stops with the abort reason when the signal aborts during a retry', async () => {
    const { client, log } = setup();
    const root = new AbortController();
    const reason = new Error('shutdown');
    client.failNext('hello', rpcError(grpcFailure(Code.UNAVAILABLE), { method: 'Hello' }), 5);
    const clock = {
      now: () => 0,
      sleep: async (_ms: number, signal?: AbortSignal) => {
        root.abort(reason);
        signal?.throwIfAborted();
      },
    };
    await expect(startupHello({ client, clock, log, signal: root.signal })).rejects.toBe(reason);
    expect(client.count('hello')).toBe(1);
  });

  it('classifies only the fatal codes as not retryable', () => {
    for (const code of FATAL) expect(isRetryableHelloError(new BatonError(code, 'x', false))).toBe(false);
    for (const code of [Code.UNAVAILABLE, Code.UNKNOWN, Code.DEADLINE_EXCEEDED, Code.CANCELLED]) {
      expect(isRetryableHelloError(new BatonError(code, 'x', false))).toBe(true);
    }
    expect(isRetryableHelloError(new Error('not gRPC'))).toBe(true);
  });
});
