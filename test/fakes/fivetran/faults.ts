/**
 * Faults injected by tests. Each is consumed by the next request whose path starts with `match` (all requests
 * when absent); `match` may be given with or without the `/v1` prefix.
 */
import type { MalformedBody } from './bad-pages.js';

export type Fault =
  | { kind: '429'; retryAfterSeconds?: number; match?: string }
  | { kind: '500'; match?: string }
  | { kind: 'html502'; match?: string }
  /** Delays the response by `ms`, then answers normally (the client may give up first). */
  | { kind: 'timeout'; ms: number; match?: string }
  /** Destroys the socket without a response. */
  | { kind: 'reset'; match?: string }
  | { kind: '401' | '403'; match?: string }
  /** A 200 whose body is not a documented Fivetran answer (see `MalformedBody`). */
  | { kind: 'malformed'; body: MalformedBody; match?: string };

export class FaultQueue {
  #pending: Fault[] = [];

  push(...faults: Fault[]): void {
    this.#pending.push(...faults);
  }

  /** Removes and returns the first pending fault that matches `path` (a full `/v1/...` path). */
  take(path: string): Fault | undefined {
    const index = this.#pending.findIndex((f) => pathMatches(path, f.match));
    return index < 0 ? undefined : this.#pending.splice(index, 1)[0];
  }

  get size(): number {
    return this.#pending.length;
  }

  clear(): void {
    this.#pending = [];
  }
}

/** Prefix match on a `/v1/...` path; a prefix without `/v1` is matched against the path after it. */
export function pathMatches(path: string, prefix: string | undefined): boolean {
  if (prefix === undefined) return true;
  const full =
    prefix.startsWith('/v1/') || prefix === '/v1'
      ? prefix
      : `/v1${prefix.startsWith('/') ? '' : '/'}${prefix}`;
  return path.startsWith(full);
}
