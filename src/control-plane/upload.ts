import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import { cancelled, toBatonError, type Clock } from '../connector/index.js';

/** One BatonServiceUploadAssetRequest in model shape (oneof `msg`). */
export type UploadFrame =
  | { readonly metadata: { readonly hostId: string; readonly taskId: string } }
  | { readonly data: { readonly data: Uint8Array } }
  | { readonly eof: { readonly sha256Checksum: Uint8Array } };

/** One client stream of one attempt. */
export interface UploadStream {
  /**
   * Resolves once the call has written the frame (so its bytes may be reused, and at most one frame is in
   * flight); rejects when the call failed.
   */
  send(frame: UploadFrame): Promise<void>;
  /** Half-closes and waits for the server's response. */
  finish(): Promise<void>;
  /** Cancels the call; safe after it ended. */
  cancel(): void;
}

export interface UploadOptions {
  readonly path: string;
  readonly taskId: string;
  readonly hostId: string;
  readonly openStream: () => UploadStream;
  readonly clock: Clock;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /** 524,288 (512 KiB) as the SDK sends; the proto allows 1..1,048,576. */
  readonly chunkBytes?: number;
}

export const UPLOAD_CHUNK_BYTES = 524_288;
// Waits before attempts 2 and 3 (spec control-plane §6).
const RETRY_WAITS_MS = [0, 1000] as const;

/** SHA-256 of a whole file, read through one reused buffer so memory stays flat whatever the file size. */
export async function fileSha256(path: string, signal?: AbortSignal): Promise<Buffer> {
  const hash = createHash('sha256');
  const file = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(UPLOAD_CHUNK_BYTES);
    for (let position = 0; ;) {
      signal?.throwIfAborted();
      const chunk = await readChunk(file, position, buf);
      hash.update(chunk);
      position += chunk.length;
      if (chunk.length < buf.length) break;
    }
  } finally {
    await file.close();
  }
  return hash.digest();
}

/**
 * Uploads a file as metadata, fixed-size data chunks and an EOF carrying the file's SHA-256; up to three
 * attempts, each a fresh stream starting from byte 0.
 */
export async function uploadAsset(o: UploadOptions): Promise<void> {
  const checksum = await fileSha256(o.path, o.signal).catch((err: unknown) => {
    throw o.signal?.aborted ? abortError(o.signal) : toBatonError(err);
  });
  let lastError: unknown;
  for (let attempt = 1; attempt <= RETRY_WAITS_MS.length + 1; attempt++) {
    if (attempt > 1) {
      await o.clock.sleep(RETRY_WAITS_MS[attempt - 2] ?? 0, o.signal).catch(() => undefined);
    }
    if (o.signal?.aborted) throw abortError(o.signal);
    try {
      await uploadOnce(o, checksum);
      if (attempt > 1) o.log.info({ attempt, taskId: o.taskId }, 'upload succeeded after retry');
      return;
    } catch (err) {
      if (o.signal?.aborted) throw abortError(o.signal);
      lastError = err;
      o.log.warn({ attempt, taskId: o.taskId, err }, 'upload attempt failed');
    }
  }
  throw lastError;
}

async function uploadOnce(o: UploadOptions, checksum: Buffer): Promise<void> {
  const chunkBytes = o.chunkBytes ?? UPLOAD_CHUNK_BYTES;
  const file = await open(o.path, 'r');
  let stream: UploadStream | undefined;
  try {
    stream = o.openStream();
    await stream.send({ metadata: { hostId: o.hostId, taskId: o.taskId } });
    // One buffer for every chunk: send() resolves once the frame is written, so it may be read into again.
    const buf = Buffer.allocUnsafe(chunkBytes);
    for (let position = 0; ;) {
      o.signal?.throwIfAborted();
      const chunk = await readChunk(file, position, buf);
      if (chunk.length === 0) break;
      await stream.send({ data: { data: chunk } });
      position += chunk.length;
      if (chunk.length < chunkBytes) break;
    }
    await stream.send({ eof: { sha256Checksum: checksum } });
    await stream.finish();
  } catch (err) {
    stream?.cancel();
    throw err;
  } finally {
    await file.close();
  }
}

/** Reads up to `buf.length` bytes at `position` into `buf`, looping over short reads. */
async function readChunk(file: FileHandle, position: number, buf: Buffer) {
  const size = buf.length;
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await file.read(buf, filled, size - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buf.subarray(0, filled);
}

const abortError = (signal: AbortSignal) =>
  cancelled('baton-fivetran: upload asset: cancelled', { cause: signal.reason });
