/**
 * Grants fetched while resources are still being listed wait, unstored, until the walk ends (their principals
 * and entitlement resources may not be stored yet). At most this many wait at a time (about 2 MiB of objects,
 * plus the pages of listings already started): past it, no early listing starts and the started ones make no
 * further call until the walk ends. The bench's 10,000 users held about 530 when their walk ended. (Holding
 * them encoded took a third of the memory but cost ~0.25 s of CPU at 10,000 users to encode and decode.)
 */
export const MAX_HELD_GRANTS = 5_000;

/** Thrown by `ListRequest.resourceCount` while the walk still runs: a listing asking for a count waits for it. */
export class ResourceCountNotFinal extends Error {
  constructor(readonly resourceTypeId: string) {
    super(`the count of ${resourceTypeId} resources is not final until every resource is listed`);
  }
}

/**
 * Where the resource walk is: which types still have listings queued or running, whether it has ended, and how
 * many early grants are held until it does.
 */
export class WalkProgress {
  #done = false;
  #end!: () => void;
  readonly finished = new Promise<void>((resolve) => (this.#end = resolve));
  readonly #active = new Map<string, number>();
  readonly #idleWaiters = new Map<string, (() => void)[]>();
  /** Grants fetched before the walk ended and not stored yet. */
  held = 0;

  constructor(readonly maxHeld = MAX_HELD_GRANTS) {}

  get done(): boolean {
    return this.#done;
  }

  get isOverBudget(): boolean {
    return !this.#done && this.held >= this.maxHeld;
  }

  /** A listing of the type was queued. */
  queued(resourceTypeId: string): void {
    this.#active.set(resourceTypeId, (this.#active.get(resourceTypeId) ?? 0) + 1);
  }

  /** A listing of the type ended (stored, failed or stopped). */
  listed(resourceTypeId: string): void {
    const n = (this.#active.get(resourceTypeId) ?? 1) - 1;
    this.#active.set(resourceTypeId, n);
    if (n === 0) this.#wake(resourceTypeId);
  }

  /**
   * Resolves once no listing of the type is queued or running, or the walk has ended. (A later page of another
   * listing may still queue one, as a child.)
   */
  async typeIdle(resourceTypeId: string): Promise<void> {
    if (this.#done || (this.#active.get(resourceTypeId) ?? 0) === 0) return;
    await new Promise<void>((resolve) => {
      const waiters = this.#idleWaiters.get(resourceTypeId) ?? [];
      waiters.push(resolve);
      this.#idleWaiters.set(resourceTypeId, waiters);
    });
  }

  end(): void {
    this.#done = true;
    for (const typeId of [...this.#idleWaiters.keys()]) this.#wake(typeId);
    this.#end();
  }

  #wake(resourceTypeId: string): void {
    const waiters = this.#idleWaiters.get(resourceTypeId) ?? [];
    this.#idleWaiters.delete(resourceTypeId);
    for (const w of waiters) w();
  }
}
