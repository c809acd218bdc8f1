import { unavailable } from './errors.js';

/**
 * Stops a paged listing that does not end, whatever its cursors look like: a page whose items were all
 * listed before in the same listing (a server handing out the same items under fresh cursors), or more
 * pages than the listing can hold. A few repeats on an otherwise new page are tolerated: an offset-based
 * cursor repeats an item at a page boundary when something is inserted during the walk.
 *
 * Memory: one key per item of the current listing, never the items.
 */
export class ListingGuard {
  readonly #seen = new Set<string>();
  #pages = 0;

  /** `what` names the listing in errors, e.g. `GET /v1/users` or `listing resources for type user`. */
  constructor(
    readonly what: string,
    readonly maxPages: number,
  ) {}

  /** Checks one page by the keys of its items; returns how many of them were listed before. */
  check(keys: Iterable<string>): number {
    this.#pages++;
    if (this.#pages > this.maxPages) {
      throw unavailable(
        `${this.what}: more than ${this.maxPages} pages, more than the account can hold; ` +
          'taken as a list that never ends',
      );
    }
    let count = 0;
    let repeated = 0;
    for (const key of keys) {
      count++;
      if (this.#seen.has(key)) repeated++;
      else this.#seen.add(key);
    }
    if (count > 0 && repeated === count) {
      throw unavailable(
        `${this.what}: page ${this.#pages} holds only items listed on earlier pages; ` +
          'taken as a list that never ends',
      );
    }
    return repeated;
  }
}

/**
 * Pages one list may take when it holds at most `maxItems` items, `pageLimit` a page: one more than
 * needed, since a list may end with an empty page.
 */
export const maxPagesFor = (maxItems: number, pageLimit: number): number =>
  Math.ceil(maxItems / pageLimit) + 1;
