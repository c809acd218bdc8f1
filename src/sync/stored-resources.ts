import type { Resource, StoredRow } from '../connector/index.js';
import type { SyncStore } from '../connector/index.js';

/**
 * Streams one type's stored resources by keyset paging, holding one batch at a time: those after row
 * `afterRowId` and, with `untilRowId`, only those stored up to that row (not the ones stored while the stream
 * is read).
 */
export async function* storedResources(
  store: SyncStore,
  resourceTypeId: string,
  batchSize: number,
  o: { readonly afterRowId?: number; readonly untilRowId?: number } = {},
): AsyncGenerator<StoredRow<Resource>> {
  let afterRowId = o.afterRowId ?? 0;
  const untilRowId = o.untilRowId ?? Infinity;
  for (;;) {
    const rows = store.listResources(resourceTypeId, afterRowId, batchSize);
    for (const row of rows) {
      if (row.rowId > untilRowId) return;
      yield row;
    }
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) return;
    afterRowId = last.rowId;
  }
}
