import type { DatabaseSync } from 'node:sqlite';
import { internal, isBatonError, unavailable, type BatonError } from '../connector/index.js';

// SQLite primary result codes (the low byte of an extended code) that mean the disk, not our data, failed.
const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;
/** errno codes of a file write that ran out of room. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/**
 * Rolls back the open transaction, if there still is one. On SQLITE_FULL and SQLITE_IOERR, SQLite may already
 * have rolled the whole transaction back itself; an explicit ROLLBACK then throws "cannot rollback - no
 * transaction is active", which would hide the real cause.
 */
export function rollbackIfActive(db: DatabaseSync): void {
  if (db.isOpen && db.isTransaction) db.exec('rollback');
}

/**
 * A failed write to the working database or the c1z as a BatonError: out of disk space and I/O errors are
 * UNAVAILABLE (retryable: the same sync may succeed once there is room), anything else INTERNAL.
 * `action` names what was being written, e.g. `put grants in c1z /data/sync.c1z`.
 */
export function storageError(err: unknown, action: string, dir: string): BatonError {
  if (isBatonError(err)) return err;
  const e = err as { code?: unknown; errcode?: unknown; errstr?: unknown; message?: unknown } | undefined;
  const sqliteCode = typeof e?.errcode === 'number' ? e.errcode & 0xff : undefined;
  const text = typeof e?.message === 'string' ? e.message : String(err);
  if (sqliteCode === SQLITE_FULL || (typeof e?.code === 'string' && NO_SPACE.has(e.code))) {
    const what = sqliteCode === SQLITE_FULL ? `SQLITE_FULL: ${text}` : text;
    return unavailable(
      `baton-fivetran: ${action}: disk full in ${dir} (${what}); free space or point --c1z-temp-dir elsewhere`,
      {
        cause: err,
      },
    );
  }
  if (sqliteCode === SQLITE_IOERR) {
    return unavailable(`baton-fivetran: ${action}: disk I/O error in ${dir} (SQLITE_IOERR: ${text})`, {
      cause: err,
    });
  }
  return internal(`baton-fivetran: ${action}: ${text}`, { cause: err });
}
