import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ListRequest, Page } from '../connector/index.js';
import { internal, ListingGuard } from '../connector/index.js';

export interface PagingLimits {
  readonly pageSize: number;
  /** Pages one listing may take before it is taken as endless. */
  readonly maxPagesPerListing: number;
}

/**
 * Pages through one listing. Refuses a next page token already seen in this listing (the SDK's
 * "next page token unchanged" rule, widened to any repeat so a cycle of tokens cannot loop forever), and,
 * through `ListingGuard`, a page of items all listed before (same items under fresh tokens) or more than
 * `maxPagesPerListing` pages. `keyOf` identifies an item (undefined: not checked).
 * `what` names the listing, e.g. `listing resources for type user`.
 */
export async function* paginate<T>(
  what: string,
  limits: PagingLimits,
  signal: AbortSignal,
  fetch: (req: ListRequest) => Promise<Page<T>>,
  keyOf: (item: T) => string | undefined,
): AsyncGenerator<Page<T>> {
  const { pageSize } = limits;
  const guard = new ListingGuard(`baton-fivetran: ${what} failed`, limits.maxPagesPerListing);
  const seen = new Set<string>();
  let pageToken: string | undefined;
  for (;;) {
    // A connector answering from memory never yields to timers (heartbeats, deadlines): make room each page.
    await yieldToLoop();
    signal.throwIfAborted();
    const page = await fetch(
      pageToken === undefined ? { pageSize, signal } : { pageToken, pageSize, signal },
    );
    const next = page.nextPageToken;
    if (next && (next === pageToken || seen.has(next))) {
      throw internal(
        `baton-fivetran: ${what} failed: next page token unchanged (${next}) - likely a connector bug`,
      );
    }
    guard.check(keysOf(page.items, keyOf));
    yield page;
    if (!next) return;
    seen.add(next);
    pageToken = next;
  }
}

function* keysOf<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Generator<string> {
  for (const item of items) {
    const key = keyOf(item);
    if (key) yield key;
  }
}
