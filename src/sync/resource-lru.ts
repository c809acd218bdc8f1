import type { Resource, ResourceId } from '../connector/index.js';
import { resourceKey } from '../connector/index.js';
import type { SyncStore } from '../connector/index.js';

/** Default number of stored resources kept hydrated while grants are listed. */
const RESOURCE_LRU_SIZE = 2000;

/**
 * The most recently used stored resources, so grant listing does not read and decode the same principal or
 * entitlement resource again for every grant naming it. Only hits are kept (a resource missing now may be
 * stored later); `forget` drops resources that are being written again.
 */
export class ResourceLru {
  readonly #byKey = new Map<string, Resource>();

  constructor(
    private readonly store: SyncStore,
    private readonly capacity = RESOURCE_LRU_SIZE,
  ) {}

  get(id: ResourceId): Resource | undefined {
    const key = resourceKey(id);
    const hit = this.#byKey.get(key);
    if (hit) {
      // Re-inserting moves the key to the young end of the Map's insertion order.
      this.#byKey.delete(key);
      this.#byKey.set(key, hit);
      return hit;
    }
    const found = this.store.getResource(id);
    if (!found) return undefined;
    if (this.#byKey.size >= this.capacity) {
      const oldest = this.#byKey.keys().next();
      if (!oldest.done) this.#byKey.delete(oldest.value);
    }
    this.#byKey.set(key, found);
    return found;
  }

  forget(id: ResourceId): void {
    this.#byKey.delete(resourceKey(id));
  }

  get size(): number {
    return this.#byKey.size;
  }
}
