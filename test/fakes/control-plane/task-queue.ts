import { randomInt } from 'node:crypto';

export const TASK_ID_PATTERN = /^[a-zA-Z0-9]{27}$/;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random 27-character alphanumeric id, the shape C1 uses (KSUID-like). */
export const newTaskId = (): string => Array.from({ length: 27 }, () => ALPHABET[randomInt(62)]).join('');

export interface TaskSpec {
  /** The Task.task_type oneof field in camelCase, e.g. `syncFull`, `grant`, `hello`. */
  readonly kind: string;
  /** The oneof sub-message in model shape (camelCase, Any as `{ '@type', … }`). */
  readonly payload?: object;
  readonly id?: string;
  readonly debug?: boolean;
}

export interface QueuedTask {
  readonly id: string;
  readonly kind: string;
  /** `c1.connectorapi.baton.v1.Task` in model shape. */
  readonly task: Record<string, unknown>;
}

/** FIFO of scripted tasks plus what happened to each id once handed out. */
export class TaskQueue {
  readonly #pending: QueuedTask[] = [];
  readonly #known = new Map<string, QueuedTask>();
  readonly #handedOut = new Set<string>();
  readonly #cancelled = new Set<string>();

  enqueue(spec: TaskSpec, kinds: readonly string[]): string {
    if (!kinds.includes(spec.kind))
      throw new Error(`fake control plane: unknown task kind ${spec.kind} (one of ${kinds.join(', ')})`);
    const id = spec.id ?? newTaskId();
    if (!TASK_ID_PATTERN.test(id))
      throw new Error(`fake control plane: task id ${id} is not 27 alphanumerics`);
    if (this.#known.has(id)) throw new Error(`fake control plane: task id ${id} is already queued`);
    const task = { id, [spec.kind]: spec.payload ?? {}, ...(spec.debug ? { debug: true } : {}) };
    const queued = { id, kind: spec.kind, task };
    this.#pending.push(queued);
    this.#known.set(id, queued);
    return id;
  }

  /** Takes up to `max` tasks, skipping ids the client already holds. */
  take(max: number, skipIds: readonly string[] = []): QueuedTask[] {
    const out: QueuedTask[] = [];
    for (let i = 0; i < this.#pending.length && out.length < max;) {
      const t = this.#pending[i]!;
      if (skipIds.includes(t.id)) {
        i++;
        continue;
      }
      this.#pending.splice(i, 1);
      this.#handedOut.add(t.id);
      out.push(t);
    }
    return out;
  }

  /**
   * Hands an already handed-out task out again, as a control plane that lost track of it would (the same id
   * delivered twice). It goes to the front of the queue.
   */
  redeliver(id: string): void {
    const task = this.#known.get(id);
    if (!task || !this.#handedOut.has(id))
      throw new Error(`fake control plane: redeliver of task ${id}, which was never handed out`);
    this.#pending.unshift(task);
  }

  cancel(id: string): void {
    this.#cancelled.add(id);
  }

  isCancelled(id: string): boolean {
    return this.#cancelled.has(id);
  }

  /** The task with that id, if it was ever enqueued. */
  get(id: string): QueuedTask | undefined {
    return this.#known.get(id);
  }

  wasHandedOut(id: string): boolean {
    return this.#handedOut.has(id);
  }

  get pendingCount(): number {
    return this.#pending.length;
  }
}
