import type { Clock } from '../connector/index.js';

/** How long a finished task id is remembered, and how many at most (27-character ids: under 1 MiB). */
const RECENT_TASK_WINDOW_MS = 60 * 60 * 1000;
const RECENT_TASK_MAX_IDS = 10_000;

/**
 * Task ids that finished recently, to recognise a second delivery of the same task. Bounded both ways: an id
 * is forgotten after `windowMs`, and the oldest is dropped once `maxIds` are held. Insertion order is finish
 * order, so the oldest entries are always at the front of the map.
 */
export class RecentTaskIds {
  readonly #finishedAt = new Map<string, number>();
  readonly #clock: Pick<Clock, 'now'>;
  readonly #windowMs: number;
  readonly #maxIds: number;

  constructor(o: { clock: Pick<Clock, 'now'>; windowMs?: number; maxIds?: number }) {
    this.#clock = o.clock;
    this.#windowMs = o.windowMs ?? RECENT_TASK_WINDOW_MS;
    this.#maxIds = o.maxIds ?? RECENT_TASK_MAX_IDS;
  }

  get size(): number {
    return this.#finishedAt.size;
  }

  add(taskId: string): void {
    this.#finishedAt.delete(taskId);
    this.#finishedAt.set(taskId, this.#clock.now());
    this.#expire();
    while (this.#finishedAt.size > this.#maxIds) {
      const oldest = this.#finishedAt.keys().next().value as string;
      this.#finishedAt.delete(oldest);
    }
  }

  has(taskId: string): boolean {
    this.#expire();
    return this.#finishedAt.has(taskId);
  }

  #expire(): void {
    const cutoff = this.#clock.now() - this.#windowMs;
    for (const [id, at] of this.#finishedAt) {
      if (at > cutoff) break;
      this.#finishedAt.delete(id);
    }
  }
}
