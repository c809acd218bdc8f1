import { createHash } from 'node:crypto';
import { Code } from '../../../src/connector/index.js';
import { GrpcFailure } from './grpc-wire.js';
import { TASK_ID_PATTERN } from './task-queue.js';

export interface UploadRecord {
  readonly taskId: string;
  readonly hostId: string;
  /** The file as reassembled from the data frames. */
  readonly bytes: Buffer;
  readonly chunkSizes: number[];
  /** Whether the EOF checksum equals SHA-256 of `bytes`. */
  readonly sha256Ok: boolean;
}

const MAX_CHUNK_BYTES = 1024 * 1024;
/** What the SDK sends (spec control-plane §6, §12.11); the proto allows up to MAX_CHUNK_BYTES. */
export const SDK_CHUNK_BYTES = 524_288;

/** Chunk sizes the SDK would not send: every chunk but the last is exactly 512 KiB, the last at most that. */
export const offSizeChunks = (sizes: readonly number[]): number[] =>
  sizes.filter((n, i) => (i < sizes.length - 1 ? n !== SDK_CHUNK_BYTES : n > SDK_CHUNK_BYTES));

/** protobufjs may hand bytes over as a Buffer/Uint8Array or, with `bytes: String`, as base64. */
export const asBuffer = (v: unknown): Buffer | undefined =>
  v instanceof Uint8Array ? Buffer.from(v) : typeof v === 'string' ? Buffer.from(v, 'base64') : undefined;

const invalid = (message: string): GrpcFailure => new GrpcFailure(Code.INVALID_ARGUMENT, message);

export const hostIdProblem = (hostId: unknown): string | undefined =>
  typeof hostId !== 'string' || hostId.length < 1 || hostId.length > 256
    ? 'host_id must be 1..256 characters'
    : undefined;

/**
 * Checks the frames of one UploadAsset stream (spec control-plane §6): metadata first, then 1 MiB-or-smaller
 * data chunks, then exactly one EOF with a 32-byte checksum, nothing after it. Throws INVALID_ARGUMENT on a
 * malformed stream; a checksum mismatch is reported through `sha256Ok` instead, so it can be recorded.
 */
export function assembleUpload(frames: readonly Record<string, unknown>[]): UploadRecord {
  const [first, ...rest] = frames;
  const metadata = first?.metadata as Record<string, unknown> | undefined;
  if (!metadata) throw invalid('the first UploadAsset frame must be metadata');
  const hostProblem = hostIdProblem(metadata.hostId);
  if (hostProblem) throw invalid(`metadata ${hostProblem}`);
  const taskId = metadata.taskId;
  if (typeof taskId !== 'string' || !TASK_ID_PATTERN.test(taskId))
    throw invalid('metadata task_id must be 27 alphanumerics');

  const chunks: Buffer[] = [];
  let checksum: Buffer | undefined;
  for (const [i, frame] of rest.entries()) {
    if (checksum) throw invalid(`frame ${i + 1} follows eof`);
    if (frame.metadata) throw invalid(`frame ${i + 1} is a second metadata frame`);
    if (frame.data) {
      const data = asBuffer((frame.data as Record<string, unknown>).data) ?? Buffer.alloc(0);
      if (data.length < 1 || data.length > MAX_CHUNK_BYTES)
        throw invalid(`data frame ${i + 1} has ${data.length} bytes (allowed 1..${MAX_CHUNK_BYTES})`);
      chunks.push(data);
    } else if (frame.eof) {
      checksum = asBuffer((frame.eof as Record<string, unknown>).sha256Checksum) ?? Buffer.alloc(0);
      if (checksum.length !== 32) throw invalid(`eof sha256_checksum has ${checksum.length} bytes, not 32`);
    } else {
      throw invalid(`frame ${i + 1} has no msg set`);
    }
  }
  if (!checksum) throw invalid('the stream ended without an eof frame');
  const bytes = Buffer.concat(chunks);
  const sha256Ok = createHash('sha256').update(bytes).digest().equals(checksum);
  return {
    taskId,
    hostId: metadata.hostId as string,
    bytes,
    chunkSizes: chunks.map((c) => c.length),
    sha256Ok,
  };
}
