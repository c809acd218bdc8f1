import { Slots } from '../connector/index.js';

/** What a worker can do with its slot besides ending. */
export interface SlotControl {
  /** Gives the slot back early (e.g. once its listing has made its last call and only storing is left). */
  readonly handOff: () => void;
  /**
   * Waits for `until` without a slot (given back if held), then takes one again: for a worker that must wait
   * on other workers, which may need its slot to get there. The worker must have no call in flight.
   */
  readonly suspend: <T>(until: Promise<T>) => Promise<T>;
}

/**
 * Runs `worker` over `items` with each worker holding a slot of `slots` (or of a pool of its own of that size).
 * The next item is taken before a slot is waited for, so a pool whose items are not ready yet holds no slot
 * another pool could use. The first failure aborts the signal handed to the other workers, waits for them,
 * and is rethrown (an outer abort wins as the reason).
 */
export async function runPool<T>(
  items: AsyncIterable<T>,
  slots: Slots | number,
  signal: AbortSignal,
  worker: (item: T, signal: AbortSignal, slot: SlotControl) => Promise<void>,
): Promise<void> {
  const pool = typeof slots === 'number' ? new Slots(Math.max(1, slots)) : slots;
  const stop = new AbortController();
  const inner = AbortSignal.any([signal, stop.signal]);
  const it = items[Symbol.asyncIterator]();
  let failure: { err: unknown } | undefined;
  const running = new Set<Promise<void>>();
  const fail = (err: unknown) => {
    if (failure) return;
    failure = { err };
    stop.abort(err);
  };
  const start = (item: T) => {
    let holds = true;
    const handOff = () => {
      if (!holds) return;
      holds = false;
      pool.release();
    };
    const suspend = async <R>(until: Promise<R>): Promise<R> => {
      handOff();
      const value = await until;
      if (!(await pool.acquire(inner))) inner.throwIfAborted();
      holds = true;
      return value;
    };
    const done = worker(item, inner, { handOff, suspend })
      .catch(fail)
      .finally(() => {
        handOff();
        running.delete(done);
      });
    running.add(done);
  };
  while (!failure && !inner.aborted) {
    let next: IteratorResult<T>;
    try {
      next = await it.next();
      if (next.done || failure) break;
      if (!(await pool.acquire(inner))) break;
    } catch (err) {
      if (!inner.aborted) fail(err);
      break;
    }
    if (failure) {
      pool.release();
      break;
    }
    start(next.value);
  }
  while (running.size > 0) await Promise.all(running);
  await it.return?.();
  signal.throwIfAborted();
  if (failure) throw failure.err;
}
