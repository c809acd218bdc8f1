const HOUR_MS = 3_600_000;

/** A per-hour budget over a rolling window, like Fivetran's account-wide limits (spec §2.5). */
export class RollingQuota {
  #stamps: number[] = [];
  #head = 0;

  constructor(
    readonly limit: number,
    private readonly now: () => number,
    private readonly windowMs = HOUR_MS,
  ) {}

  /** Takes one unit; false when the window is full. */
  take(): boolean {
    this.#expire();
    if (this.#used() >= this.limit) return false;
    this.#stamps.push(this.now());
    return true;
  }

  remaining(): number {
    this.#expire();
    return Math.max(0, this.limit - this.#used());
  }

  /** Whole seconds until one unit frees up (at least 1). */
  retryAfterSeconds(): number {
    this.#expire();
    const oldest = this.#stamps[this.#head];
    if (oldest === undefined) return 1;
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  clear(): void {
    this.#stamps = [];
    this.#head = 0;
  }

  #used(): number {
    return this.#stamps.length - this.#head;
  }

  #expire(): void {
    const cutoff = this.now() - this.windowMs;
    while (this.#head < this.#stamps.length && (this.#stamps[this.#head] ?? 0) <= cutoff) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#stamps.length) {
      this.#stamps = this.#stamps.slice(this.#head);
      this.#head = 0;
    }
  }
}
