import type { Clock } from '../connector/index.js';

export interface RateLimiterOptions {
  /** Requests in flight at once. */
  readonly concurrency: number;
  readonly clock: Clock;
  /** Fivetran's quota window (a rolling hour). */
  readonly windowMs?: number;
  /** Start spacing requests when fewer than this fraction of the quota remains. */
  readonly lowWaterFraction?: number;
  readonly onWait?: (ms: number) => void;
}

/**
 * Shared by every request of one client: bounds concurrency, pauses everyone after a 429, and spaces
 * request starts out to the quota's sustainable rate once `X-Rate-Limit-Remaining` runs low, because the
 * 20,000/hour quota is shared with every other integration on the Fivetran account.
 */
export class RateLimiter {
  readonly #o: Required<Omit<RateLimiterOptions, 'onWait'>> & Pick<RateLimiterOptions, 'onWait'>;
  readonly #queue: (() => void)[] = [];
  #active = 0;
  #pausedUntil = 0;
  #lastStartAt = Number.NEGATIVE_INFINITY;
  #spacingMs = 0;

  constructor(o: RateLimiterOptions) {
    this.#o = {
      windowMs: 3_600_000,
      lowWaterFraction: 0.05,
      ...o,
      concurrency: Math.max(1, Math.floor(o.concurrency)),
    };
  }

  /** Milliseconds between request starts right now (0 when the quota is healthy). */
  get spacingMs(): number {
    return this.#spacingMs;
  }

  /** Waits for a slot and for any pause or spacing; resolves with the function that frees the slot. */
  async acquire(signal: AbortSignal): Promise<() => void> {
    await this.#takeSlot(signal);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next();
      else this.#active--;
    };
    try {
      for (;;) {
        const now = this.#o.clock.now();
        const waitMs = Math.max(this.#pausedUntil, this.#lastStartAt + this.#spacingMs) - now;
        if (waitMs <= 0) break;
        this.#o.onWait?.(waitMs);
        await this.#o.clock.sleep(waitMs, signal);
      }
    } catch (err) {
      release();
      throw err;
    }
    this.#lastStartAt = this.#o.clock.now();
    return release;
  }

  /** Feeds quota headers from a response. */
  observe(limit: number | undefined, remaining: number | undefined): void {
    if (remaining === undefined) return;
    const quota = limit !== undefined && limit > 0 ? limit : undefined;
    const lowWater = quota !== undefined ? Math.max(20, quota * this.#o.lowWaterFraction) : 20;
    this.#spacingMs = remaining <= lowWater ? Math.ceil(this.#o.windowMs / (quota ?? 3600)) : 0;
  }

  /** Holds every request back for `ms` (after a 429). */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#o.clock.now() + ms);
  }

  #takeSlot(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.#active < this.#o.concurrency) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.#queue.indexOf(grant);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(signal.reason);
      };
      this.#queue.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
