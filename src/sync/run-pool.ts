/**
 * Runs `worker` over `items` with at most `concurrency` in flight. The first failure aborts the signal
 * handed to the other workers, waits for them, and is rethrown (an outer abort wins as the reason).
 */
export async function runPool<T>(
  items: AsyncIterable<T>,
  concurrency: number,
  signal: AbortSignal,
  worker: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const inner = AbortSignal.any([signal, stop.signal]);
  const it = items[Symbol.asyncIterator]();
  let failure: { err: unknown } | undefined;
  const fail = (err: unknown) => {
    if (failure) return;
    failure = { err };
    stop.abort(err);
  };
  const run = async (): Promise<void> => {
    while (!failure && !inner.aborted) {
      try {
        const next = await it.next();
        if (next.done || failure) return;
        await worker(next.value, inner);
      } catch (err) {
        fail(err);
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, run));
  await it.return?.();
  signal.throwIfAborted();
  if (failure) throw failure.err;
}
