import { describe, expect, it } from '@jest/globals';
import { BatonError, Code, internal, unavailable } from '../../../src/connector/index.js';
import { retryWithinLease } from '../../../src/control-plane/lease-retry.js';
import { FakeClock, logSink } from '../tasks/support.js';

/** Runs `retryWithinLease` with an attempt that always fails, moving the fake clock 1 s at a time. */
async function attemptTimes(leaseMs: number, fail: () => Error): Promise<{ at: number[]; err: unknown }> {
  const clock = new FakeClock();
  const startedAt = clock.now();
  const at: number[] = [];
  let settled = false;
  const done = retryWithinLease(
    async () => {
      at.push(clock.now() - startedAt);
      throw fail();
    },
    {
      what: 'upload',
      leaseExpiresAt: () => startedAt + leaseMs,
      signal: new AbortController().signal,
      clock,
      log: logSink().log,
    },
  ).then(
    () => expect('resolved').toBe('rejected'),
    (err: unknown) => {
      settled = true;
      return err;
    },
  );
  for (let i = 0; i < 120 && !settled; i++) await clock.advance(1_000);
  return { at, err: await done };
}

describe('retryWithinLease', () => {
  it('cuts the last wait short so the final attempt lands on the lease end, never after it', async () => {
    // Waits 1, 2, 4 s; the next 8 s wait is cut to the 3 s left of a 10 s lease.
    const { at, err } = await attemptTimes(10_000, () => unavailable('down'));
    expect(at).toEqual([0, 1_000, 3_000, 7_000, 10_000]);
    expect(err).toMatchObject({ message: 'down' });
  });

  it.each([
    // What rpcError makes of an attempt that ran out of its own deadline: not retryable, yet not final here.
    ['its own deadline', () => new BatonError(Code.DEADLINE_EXCEEDED, 'deadline exceeded', false)],
    ['INTERNAL', () => internal('stream reset')],
  ])('retries an attempt that failed on %s within the lease', async (_name, fail) => {
    const { at } = await attemptTimes(4_000, fail);
    expect(at).toEqual([0, 1_000, 3_000, 4_000]);
  });
});
