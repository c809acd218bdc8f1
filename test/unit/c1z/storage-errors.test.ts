import { DatabaseSync } from 'node:sqlite';
import { Code } from '../../../src/connector/index.js';
import { rollbackIfActive, storageError } from '../../../src/c1z/storage-errors.js';

/** A real SQLITE_FULL: `max_page_count` makes SQLite refuse to grow the database, as a full disk does. */
function fillUp(db: DatabaseSync): unknown {
  db.exec('pragma max_page_count = 20; create table t (x blob)');
  const insert = db.prepare('insert into t values (?)');
  db.exec('begin');
  try {
    for (let i = 0; i < 1000; i++) insert.run(Buffer.alloc(4000, i));
  } catch (err) {
    return err;
  }
  throw new Error('expected SQLITE_FULL');
}

describe('c1z storage errors', () => {
  it('reports SQLITE_FULL as a retryable disk-full error after SQLite rolled the transaction back itself', () => {
    const db = new DatabaseSync(':memory:');
    try {
      const err = fillUp(db);
      // What made the old code throw "cannot rollback - no transaction is active".
      expect(db.isTransaction).toBe(false);
      expect(() => rollbackIfActive(db)).not.toThrow();
      const e = storageError(err, 'put grants in c1z /data/sync.c1z', '/data');
      expect(e).toMatchObject({
        code: Code.UNAVAILABLE,
        retryable: true,
        message:
          'baton-fivetran: put grants in c1z /data/sync.c1z: disk full in /data (SQLITE_FULL: database or ' +
          'disk is full); free space or point --c1z-temp-dir elsewhere',
      });
      expect(e.cause).toBe(err);
    } finally {
      db.close();
    }
  });

  it('rolls back a transaction that is still open', () => {
    const db = new DatabaseSync(':memory:');
    try {
      db.exec('create table t (x integer primary key)');
      db.exec('begin');
      db.prepare('insert into t values (1)').run();
      rollbackIfActive(db);
      expect(db.isTransaction).toBe(false);
      expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('reports an extended SQLITE_IOERR code as a retryable disk I/O error', () => {
    // SQLITE_IOERR_WRITE is 778 (SQLITE_IOERR 10 | 3 << 8), as node:sqlite reports it in `errcode`.
    const ioerr = Object.assign(new Error('disk I/O error'), { errcode: 778, errstr: 'disk I/O error' });
    expect(storageError(ioerr, 'put grants in c1z /data/sync.c1z', '/tmp/w')).toMatchObject({
      code: Code.UNAVAILABLE,
      retryable: true,
      message:
        'baton-fivetran: put grants in c1z /data/sync.c1z: disk I/O error in /tmp/w (SQLITE_IOERR: disk I/O error)',
    });
    // SQLITE_CONSTRAINT_UNIQUE (2067) is a data error, not the disk's.
    const constraint = Object.assign(new Error('UNIQUE constraint failed'), { errcode: 2067 });
    expect(storageError(constraint, 'put grants in c1z x', '/t')).toMatchObject({ code: Code.INTERNAL });
  });

  it('maps ENOSPC from a file write to disk full and anything else to INTERNAL', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(storageError(enospc, 'finish c1z /out/sync.c1z', '/out')).toMatchObject({
      code: Code.UNAVAILABLE,
      retryable: true,
      message: expect.stringContaining('finish c1z /out/sync.c1z: disk full in /out (ENOSPC: no space left'),
    });
    expect(storageError(new TypeError('boom'), 'put grants in c1z x', '/t')).toMatchObject({
      code: Code.INTERNAL,
      message: 'baton-fivetran: put grants in c1z x: boom',
    });
  });
});
