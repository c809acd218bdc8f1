import type { DatabaseSync } from 'node:sqlite';

/**
 * Names a partial sync's parent: the latest finished `full` sync already in the file, picked as the SDK
 * picks it (ended_at desc, sync_id desc), or none (c1z-format.md §6.2). Returns the parent's id or ''.
 */
export function linkPartialSyncToParent(db: DatabaseSync, syncId: string): string {
  const row = db
    .prepare(
      `select sync_id from v1_sync_runs where ended_at is not null and sync_type = 'full'
       order by ended_at desc, sync_id desc limit 1`,
    )
    .get() as { sync_id: string } | undefined;
  const parent = row?.sync_id ?? '';
  db.prepare('update v1_sync_runs set parent_sync_id = ? where sync_id = ?').run(parent, syncId);
  return parent;
}
