import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { C1zWriter } from '../../../src/c1z/index.js';
import { annotations, resourceId, type Grant } from '../../../src/connector/index.js';
import type { SyncStore } from '../../../src/sync/index.js';
import { MemorySyncStore } from '../../fakes/memory-store.js';

const grant = (id: string, extra: Partial<Grant> = {}): Grant => ({
  id,
  entitlement: { id: 'team:t1:member', resource: { id: resourceId('team', 't1') } },
  principal: { id: resourceId('user', id) },
  ...extra,
});

describe('MemorySyncStore', () => {
  it('refuses writes before startSync and after endSync', () => {
    const store = new MemorySyncStore();
    expect(() => store.putResources([])).toThrow(/no sync started/);
    expect(store.startSync('full')).toHaveLength(27);
    store.endSync();
    expect(() => store.putGrants([])).toThrow(/ended/);
  });

  it('keeps the row id of an upserted row and pages by row id', () => {
    const store = new MemorySyncStore();
    store.startSync('full');
    store.putResources([
      { id: resourceId('user', 'a') },
      { id: resourceId('user', 'b') },
      { id: resourceId('team', 'c') },
    ]);
    const [a] = store.listResources('user', 0, 1);
    store.putResources([{ id: resourceId('user', 'a'), displayName: 'A' }]);
    expect(store.listResources('user', 0, 10).map((r) => [r.rowId, r.value.displayName])).toEqual([
      [a!.rowId, 'A'],
      [a!.rowId + 1, undefined],
    ]);
    expect(store.listResources('user', a!.rowId, 10).map((r) => r.value.id.resource)).toEqual(['b']);
  });

  it('strips GrantExpandable into the expansion column and clears it on an upsert without one', () => {
    const store = new MemorySyncStore();
    store.startSync('full');
    store.putGrants([
      grant('a', { annotations: [annotations.grantExpandable(['team:t2:member'], { shallow: true })] }),
      grant('b', { annotations: [annotations.grantExpandable(['  '])] }),
    ]);
    expect(store.getGrant('a')).toEqual({
      grant: grant('a', { annotations: [] }),
      expansion: { entitlementIds: ['team:t2:member'], shallow: true },
    });
    expect(store.getGrant('b')?.expansion).toBeUndefined();
    expect(store.listExpandableGrants(0, 10).map((r) => r.value.grant.id)).toEqual(['a']);
    store.putGrants([grant('a')]);
    expect(store.listExpandableGrants(0, 10)).toEqual([]);
  });

  it('returns copies, so callers cannot change stored rows', () => {
    const store = new MemorySyncStore();
    store.startSync('full');
    store.putGrants([grant('a')]);
    const got = store.getGrant('a')!.grant as { id: string };
    got.id = 'changed';
    expect(store.getGrant('a')!.grant.id).toBe('a');
  });

  // c1z-format.md §5.7: an upsert replaces data (and the expansion columns), never the side columns.
  it('keeps a grant under the entitlement of its first write, like the c1z writer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memory-store-'));
    const writer = C1zWriter.create({ path: join(dir, 'out.c1z') });
    try {
      const listed = (store: SyncStore) => {
        store.startSync('full');
        store.putGrants([grant('a'), grant('b')]);
        const moved = { id: 'team:t2:member', resource: { id: resourceId('team', 't2') } };
        store.putGrants([grant('a', { entitlement: moved })]);
        return ['team:t1:member', 'team:t2:member'].map((e) =>
          store
            .listGrantsForEntitlement(e, 0, 10)
            .map((r) => [r.value.grant.id, r.value.grant.entitlement.id]),
        );
      };
      const expected = [
        [
          ['a', 'team:t2:member'],
          ['b', 'team:t1:member'],
        ],
        [],
      ];
      expect(listed(writer)).toEqual(expected);
      expect(listed(new MemorySyncStore())).toEqual(expected);
    } finally {
      writer.abort();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
