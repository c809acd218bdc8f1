import type { Resource } from '../connector/index.js';
import type { SyncStore } from '../connector/index.js';

/** Streams one type's stored resources by keyset paging, holding one batch at a time. */
export async function* storedResources(
  store: SyncStore,
  resourceTypeId: string,
  batchSize: number,
): AsyncGenerator<Resource> {
  let afterRowId = 0;
  for (;;) {
    const rows = store.listResources(resourceTypeId, afterRowId, batchSize);
    for (const row of rows) yield row.value;
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) return;
    afterRowId = last.rowId;
  }
}
