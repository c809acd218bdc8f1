/**
 * Runs `worker` over `items` with at most `concurrency` workers holding a slot. A worker may give its slot
 * back early with `handOff` (e.g. once its listing has made its last call and only storing is left), and the
 * next item starts at once. The first failure aborts the signal handed to the other workers, waits for them,
 * and is rethrown (an outer abort wins as the reason).
 */
export async function runPool<T>(
  items: AsyncIterable<T>,
  concurrency: number,
  signal: AbortSignal,
  worker: (item: T, signal: AbortSignal, handOff: () => void) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const inner = AbortSignal.any([signal, stop.signal]);
  const it = items[Symbol.asyncIterator]();
  let failure: { err: unknown } | undefined;
  let free = Math.max(1, concurrency);
  let wake: (() => void) | undefined;
  const running = new Set<Promise<void>>();
  const fail = (err: unknown) => {
    if (failure) return;
    failure = { err };
    stop.abort(err);
    wake?.();
  };
  const start = (item: T) => {
    let holds = true;
    const handOff = () => {
      if (!holds) return;
      holds = false;
      free++;
      wake?.();
    };
    const done = worker(item, inner, handOff)
      .catch(fail)
      .finally(() => {
        handOff();
        running.delete(done);
      });
    running.add(done);
  };
  const onAbort = () => wake?.();
  inner.addEventListener('abort', onAbort);
  while (!failure && !inner.aborted) {
    if (free === 0) {
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    let next: IteratorResult<T>;
    try {
      next = await it.next();
    } catch (err) {
      fail(err);
      break;
    }
    if (next.done || failure) break;
    free--;
    start(next.value);
  }
  inner.removeEventListener('abort', onAbort);
  while (running.size > 0) await Promise.all(running);
  await it.return?.();
  signal.throwIfAborted();
  if (failure) throw failure.err;
}
