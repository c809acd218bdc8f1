import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ListRequest, Page } from '../connector/index.js';
import { internal, ListingGuard } from '../connector/index.js';

export interface PagingLimits {
  readonly pageSize: number;
  /** Pages one listing may take before it is taken as endless. */
  readonly maxPagesPerListing: number;
}

export interface PaginateOptions {
  /** Called once the last page has arrived: the listing makes no more calls (its caller may start another). */
  readonly onLastPage?: () => void;
}

/**
 * Pages through one listing. The next page is asked for as soon as a page arrives and passes the checks,
 * before the caller works on it, so storing page N overlaps fetching page N+1 (one call in flight per
 * listing). Refuses a next page token already seen in this listing (the SDK's "next page token unchanged"
 * rule, widened to any repeat so a cycle of tokens cannot loop forever), and, through `ListingGuard`, a page
 * of items all listed before (same items under fresh tokens) or more than `maxPagesPerListing` pages; both
 * checks run before the next call goes out. `keyOf` identifies an item (undefined: not checked). `what`
 * names the listing, e.g. `listing resources for type user`.
 */
export async function* paginate<T>(
  what: string,
  limits: PagingLimits,
  signal: AbortSignal,
  fetch: (req: ListRequest) => Promise<Page<T>>,
  keyOf: (item: T) => string | undefined,
  o: PaginateOptions = {},
): AsyncGenerator<Page<T>> {
  const { pageSize } = limits;
  const guard = new ListingGuard(`baton-fivetran: ${what} failed`, limits.maxPagesPerListing);
  // Cancels a call asked for ahead when the caller stops early.
  const ahead = new AbortController();
  const callSignal = AbortSignal.any([signal, ahead.signal]);
  const seen = new Set<string>();
  const request = (pageToken: string | undefined): Promise<Page<T>> => {
    const p = fetch(
      pageToken === undefined
        ? { pageSize, signal: callSignal }
        : { pageToken, pageSize, signal: callSignal },
    );
    // Awaited below; until then a failure must not count as unhandled.
    p.catch(() => undefined);
    return p;
  };
  // The first call goes out at once: a pool slot handed on by a listing that is storing its last page starts
  // the next listing's call before that storing, not after it.
  signal.throwIfAborted();
  let pending: Promise<Page<T>> | undefined = request(undefined);
  try {
    while (pending) {
      const page = await pending;
      pending = undefined;
      const next = page.nextPageToken;
      if (next && seen.has(next)) {
        throw internal(
          `baton-fivetran: ${what} failed: next page token unchanged (${next}) - likely a connector bug`,
        );
      }
      guard.check(keysOf(page.items, keyOf));
      if (next) {
        seen.add(next);
        signal.throwIfAborted();
        pending = request(next);
      } else {
        o.onLastPage?.();
      }
      // Lets the call just asked for reach the wire before the caller's synchronous work, and timers
      // (heartbeats, deadlines) run even when a connector answers from memory.
      await yieldToLoop();
      signal.throwIfAborted();
      yield page;
    }
  } finally {
    if (pending) ahead.abort(signal.reason ?? new Error(`${what}: stopped`));
  }
}

function* keysOf<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Generator<string> {
  for (const item of items) {
    const key = keyOf(item);
    if (key) yield key;
  }
}
