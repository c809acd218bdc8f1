import type { Resource } from '../connector/index.js';
import type { SyncStore } from '../connector/index.js';

/**
 * Streams one type's stored resources by keyset paging, holding one batch at a time; with `untilRowId`, only
 * those stored up to that row (not the ones stored while the stream is read).
 */
export async function* storedResources(
  store: SyncStore,
  resourceTypeId: string,
  batchSize: number,
  untilRowId = Infinity,
): AsyncGenerator<Resource> {
  let afterRowId = 0;
  for (;;) {
    const rows = store.listResources(resourceTypeId, afterRowId, batchSize);
    for (const row of rows) {
      if (row.rowId > untilRowId) return;
      yield row.value;
    }
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) return;
    afterRowId = last.rowId;
  }
}
