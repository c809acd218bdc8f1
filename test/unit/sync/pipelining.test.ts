import { setTimeout as sleep } from 'node:timers/promises';
import type { ListRequest, Page } from '../../../src/connector/index.js';
import { paginate } from '../../../src/sync/paginate.js';
import { runPool } from '../../../src/sync/run-pool.js';

async function* itemsOf<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

const LIMITS = { pageSize: 10, maxPagesPerListing: 100 };
const noKey = (): undefined => undefined;

describe('paginate asks for the next page before the caller works on the current one', () => {
  const pages = (n: number) => {
    const asked: (string | undefined)[] = [];
    const signals: AbortSignal[] = [];
    const fetch = async (req: ListRequest): Promise<Page<number>> => {
      asked.push(req.pageToken);
      signals.push(req.signal);
      const at = req.pageToken === undefined ? 0 : Number(req.pageToken);
      return { items: [at], ...(at + 1 < n ? { nextPageToken: String(at + 1) } : {}) };
    };
    return { asked, signals, fetch };
  };

  it('has page N+1 requested while page N is handed out, and calls onLastPage once the last page came', async () => {
    const { asked, fetch } = pages(3);
    const seen: string[] = [];
    let lastPageAt = -1;
    const onLastPage = () => (lastPageAt = asked.length);
    for await (const page of paginate('test', LIMITS, new AbortController().signal, fetch, noKey, {
      onLastPage,
    })) {
      seen.push(`page ${page.items[0]} with ${asked.length} asked`);
    }
    expect(seen).toEqual(['page 0 with 2 asked', 'page 1 with 3 asked', 'page 2 with 3 asked']);
    expect(lastPageAt).toBe(3);
  });

  it('cancels the call asked for ahead when the caller stops early', async () => {
    const { signals, fetch } = pages(5);
    for await (const page of paginate('test', LIMITS, new AbortController().signal, fetch, noKey)) {
      if (page.items[0] === 1) break;
    }
    expect(signals).toHaveLength(3);
    expect(signals[2]!.aborted).toBe(true);
  });
});

describe('runPool hands a slot on early', () => {
  it('starts the next item when a worker hands off, and never has more than `concurrency` holding slots', async () => {
    let holding = 0;
    let maxHolding = 0;
    const log: string[] = [];
    await runPool(
      itemsOf([1, 2, 3, 4, 5]),
      2,
      new AbortController().signal,
      async (n, _signal, { handOff }) => {
        holding++;
        maxHolding = Math.max(maxHolding, holding);
        log.push(`start ${n}`);
        await sleep(5);
        holding--;
        handOff();
        // Work left after the hand-off (storing the last page) overlaps the next item's start.
        await sleep(20);
        log.push(`end ${n}`);
      },
    );
    expect(maxHolding).toBe(2);
    // Items 3 and 4 start while 1 and 2 are still finishing their work.
    expect(log.indexOf('start 3')).toBeLessThan(log.indexOf('end 1'));
    expect(log.indexOf('start 4')).toBeLessThan(log.indexOf('end 2'));
    expect(log.filter((l) => l.startsWith('end'))).toHaveLength(5);
  });

  it('counts a slot handed off once, even though the worker then ends', async () => {
    let holding = 0;
    let maxHolding = 0;
    await runPool(itemsOf([1, 2, 3]), 1, new AbortController().signal, async (n, _signal, { handOff }) => {
      if (n === 1) {
        // Hands its slot on and ends: the pool frees the slot again when a worker ends.
        handOff();
        return;
      }
      holding++;
      maxHolding = Math.max(maxHolding, holding);
      await sleep(10);
      holding--;
    });
    expect(maxHolding).toBe(1);
  });

  it('rethrows the first failure after the other workers stopped', async () => {
    const ended: number[] = [];
    await expect(
      runPool(itemsOf([1, 2, 3, 4]), 2, new AbortController().signal, async (n, signal) => {
        if (n === 2) throw new Error('boom');
        await sleep(10);
        if (!signal.aborted) ended.push(n);
      }),
    ).rejects.toThrow('boom');
    expect(ended).not.toContain(3);
  });
});
