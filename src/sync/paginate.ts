import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ListRequest, Page } from '../connector/index.js';
import { internal } from '../connector/index.js';

/**
 * Pages through one listing. Refuses a next page token already seen in this listing (the SDK's
 * "next page token unchanged" rule, widened to any repeat so a cycle of tokens cannot loop forever).
 * `what` names the listing, e.g. `listing resources for type user`.
 */
export async function* paginate<T>(
  what: string,
  pageSize: number,
  signal: AbortSignal,
  fetch: (req: ListRequest) => Promise<Page<T>>,
): AsyncGenerator<Page<T>> {
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
    yield page;
    if (!next) return;
    seen.add(next);
    pageToken = next;
  }
}
