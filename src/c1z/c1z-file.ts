import { createReadStream, createWriteStream, renameSync } from 'node:fs';
import { open, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createZstdCompress, createZstdDecompress } from 'node:zlib';
import { collectYoungGarbage, failedPrecondition, invalidArgument } from '../connector/index.js';

// The outer c1z layout (c1z-format.md §1): the 5-byte magic, then one zstd frame holding the SQLite file.

export const C1Z_MAGIC = Buffer.from('C1ZF\x00', 'latin1');
export const C1Z_V3_MAGIC = Buffer.from('C1Z3\x00', 'latin1');
/** The SDK's decoder caps memory, and with it the window, at 128 MiB. */
const MAX_WINDOW_LOG = 27;
const DEFAULT_LEVEL = 3;

/**
 * Compresses `dbPath` into a c1z at `outPath`: written to a temp file beside it, fsynced, then renamed.
 * Nothing is left at `outPath` or in the temp file on failure or abort.
 */
export async function writeC1zFile(
  dbPath: string,
  outPath: string,
  o: { signal?: AbortSignal },
): Promise<void> {
  const { signal } = o;
  signal?.throwIfAborted();
  const { size } = await stat(dbPath);
  const tmpPath = `${outPath}.${randomBytes(6).toString('hex')}.tmp`;
  let isRenamed = false;
  try {
    await writeFile(tmpPath, C1Z_MAGIC, { flag: 'wx', mode: 0o600 });
    const compress = createZstdCompress({
      chunkSize: OUTPUT_CHUNK,
      pledgedSrcSize: size,
      params: {
        [constants.ZSTD_c_compressionLevel]: DEFAULT_LEVEL,
        [constants.ZSTD_c_checksumFlag]: 1,
        [constants.ZSTD_c_contentSizeFlag]: 1,
      },
    });
    // `flush: true` fsyncs the file before it is closed.
    const out = createWriteStream(tmpPath, { flags: 'r+', start: C1Z_MAGIC.length, flush: true });
    const written = pipeline(compress, out, signal ? { signal } : {});
    // Handled below, after feeding; this only keeps an early failure from counting as unhandled.
    written.catch(() => undefined);
    try {
      await feed(dbPath, compress);
    } catch (err) {
      compress.destroy(err as Error);
    }
    await written;
    // Synchronous check-and-rename: an abort cannot slip in between.
    signal?.throwIfAborted();
    renameSync(tmpPath, outPath);
    isRenamed = true;
    await syncDirectory(dirname(outPath));
  } finally {
    if (!isRenamed) await rm(tmpPath, { force: true });
  }
}

// A file stream allocates a new chunk per read, and with little else allocating they stay uncollected until
// the end: as much memory as the database is large. One reused buffer keeps it flat. 1 MiB rather than a file
// stream's 64 KiB: each chunk is a round trip through the thread pool (read, then compress), and at 64 KiB
// those waits made up a fifth of compressing a 90 MB database. zstd's output does not depend on the chunking.
const READ_CHUNK = 1024 * 1024;

// zstd hands its output back 64 KiB at a time rather than zlib's default 16 KiB: each hand-back is a round
// trip through the thread pool, and at 16 KiB compressing an 81 MB database took 325 ms instead of 260 ms.
const OUTPUT_CHUNK = 64 * 1024;

// zstd's output buffers are garbage nothing else allocating would collect before the end: a scavenge every
// 4 MiB read frees them (a 50,000-user sync's RSS peak, which is this compression: 208–232 → 210–211 MiB).
const CHUNKS_PER_SCAVENGE = 4;

/** Writes the file into `compress` through one reused buffer, each chunk consumed before the next read. */
async function feed(path: string, compress: Writable): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    for (let chunks = 1; ; chunks++) {
      const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
      if (bytesRead === 0) break;
      await writeChunk(compress, buf.subarray(0, bytesRead));
      if (chunks % CHUNKS_PER_SCAVENGE === 0) collectYoungGarbage();
    }
    compress.end();
  } finally {
    await fh.close();
  }
}

/**
 * Writes one chunk and waits until it is consumed. It also settles when the stream is destroyed meanwhile: the
 * pipeline destroys the compressor when the output fails (ENOSPC), and a write zstd was still working on then
 * never calls back. Waiting for it left nothing for the event loop to do, and a one-shot sync exited 0 with
 * no c1z.
 */
function writeChunk(stream: Writable, chunk: Buffer): Promise<void> {
  return new Promise((done, fail) => {
    const closed = () =>
      fail(stream.errored ?? new Error('the compressor closed before taking the whole database'));
    if (stream.destroyed) return closed();
    stream.once('close', closed);
    stream.write(chunk, (err) => {
      stream.off('close', closed);
      if (err) fail(err);
      else done();
    });
  });
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Reads the 5-byte header and fails clearly unless it is a v1 (sqlite) c1z. */
async function checkC1zMagic(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(C1Z_MAGIC.length);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    if (bytesRead === head.length && head.equals(C1Z_MAGIC)) return;
    if (bytesRead === head.length && head.equals(C1Z_V3_MAGIC)) {
      throw failedPrecondition(`baton-fivetran: open c1z ${path}: v3 (Pebble) c1z files are not supported`);
    }
    throw invalidArgument(`baton-fivetran: open c1z ${path}: not a c1z file (bad magic header)`);
  } finally {
    await fh.close();
  }
}

/** Decompresses the SQLite database inside a v1 c1z to `dbPath`, streaming. */
export async function extractC1zDatabase(
  path: string,
  dbPath: string,
  o: { signal?: AbortSignal },
): Promise<void> {
  await checkC1zMagic(path);
  const decompress = createZstdDecompress({ params: { [constants.ZSTD_d_windowLogMax]: MAX_WINDOW_LOG } });
  await pipeline(
    createReadStream(path, { start: C1Z_MAGIC.length }),
    decompress,
    createWriteStream(dbPath, { flags: 'wx', mode: 0o600 }),
    o.signal ? { signal: o.signal } : {},
  );
}
