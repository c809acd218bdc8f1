import { resourceId, type ResourceId } from '../../../src/connector/index.js';
import { ResourceLru } from '../../../src/sync/resource-lru.js';
import { MemorySyncStore } from '../../fakes/memory-store.js';

/** A store that counts its getResource reads. */
const countingStore = () => {
  const store = new MemorySyncStore();
  store.startSync('full');
  let reads = 0;
  const get = store.getResource.bind(store);
  store.getResource = (id: ResourceId) => {
    reads++;
    return get(id);
  };
  return { store, reads: () => reads };
};

describe('ResourceLru', () => {
  it('reads each stored resource once while it stays among the most recently used', () => {
    const { store, reads } = countingStore();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => resourceId('user', id)) as [
      ResourceId,
      ResourceId,
      ResourceId,
    ];
    store.putResources([{ id: a, displayName: 'A' }, { id: b }, { id: c }]);
    const lru = new ResourceLru(store, 2);
    expect(lru.get(a)?.displayName).toBe('A');
    expect(lru.get(a)?.displayName).toBe('A');
    expect(reads()).toBe(1);
    lru.get(b);
    lru.get(a); // a is now the youngest, so c evicts b
    lru.get(c);
    expect(lru.size).toBe(2);
    expect(reads()).toBe(3);
    lru.get(a);
    expect(reads()).toBe(3);
    lru.get(b);
    expect(reads()).toBe(4);
  });

  it('does not remember a miss, and forgets a resource being written again', () => {
    const { store, reads } = countingStore();
    const a = resourceId('user', 'a');
    const lru = new ResourceLru(store);
    expect(lru.get(a)).toBeUndefined();
    store.putResources([{ id: a, displayName: 'A' }]);
    expect(lru.get(a)?.displayName).toBe('A');
    store.putResources([{ id: a, displayName: 'A2' }]);
    lru.forget(a);
    expect(lru.get(a)?.displayName).toBe('A2');
    expect(reads()).toBe(3);
  });
});
