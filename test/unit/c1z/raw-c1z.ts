// An independent reader for tests: raw bytes, zstd via node:zlib, node:sqlite, decodeMessage. It shares no
// code with src/c1z, so a writer bug cannot hide behind a matching reader bug.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { zstdDecompressSync } from 'node:zlib';

export interface ZstdFrameHeader {
  readonly magicHex: string;
  readonly hasChecksum: boolean;
  readonly isSingleSegment: boolean;
  readonly contentSize: number | undefined;
  readonly windowBytes: number;
}

export function parseZstdFrameHeader(frame: Uint8Array): ZstdFrameHeader {
  const b = Buffer.from(frame);
  const magicHex = b.subarray(0, 4).toString('hex');
  const fhd = b[4]!;
  const fcsFlag = fhd >> 6;
  const isSingleSegment = ((fhd >> 5) & 1) === 1;
  const hasChecksum = ((fhd >> 2) & 1) === 1;
  const dictIdBytes = [0, 1, 2, 4][fhd & 3]!;
  let pos = 5;
  let windowBytes = 0;
  if (!isSingleSegment) {
    const wd = b[pos++]!;
    const base = 2 ** (10 + (wd >> 3));
    windowBytes = base + (base / 8) * (wd & 7);
  }
  pos += dictIdBytes;
  const fcsBytes = [isSingleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
  let contentSize: number | undefined;
  if (fcsBytes === 1) contentSize = b.readUInt8(pos);
  if (fcsBytes === 2) contentSize = b.readUInt16LE(pos) + 256;
  if (fcsBytes === 4) contentSize = b.readUInt32LE(pos);
  if (fcsBytes === 8) contentSize = Number(b.readBigUInt64LE(pos));
  if (isSingleSegment) windowBytes = contentSize ?? 0;
  return { magicHex, hasChecksum, isSingleSegment, contentSize, windowBytes };
}

export interface RawC1z {
  readonly magic: Buffer;
  readonly frame: ZstdFrameHeader;
  readonly dbBytes: Buffer;
  readonly db: DatabaseSync;
  close(): void;
}

export function openRawC1z(path: string): RawC1z {
  const bytes = readFileSync(path);
  const dbBytes = zstdDecompressSync(bytes.subarray(5));
  const dir = mkdtempSync(join(tmpdir(), 'raw-c1z-'));
  const dbPath = join(dir, 'db');
  writeFileSync(dbPath, dbBytes);
  const db = new DatabaseSync(dbPath, { readOnly: true });
  return {
    magic: bytes.subarray(0, 5),
    frame: parseZstdFrameHeader(bytes.subarray(5)),
    dbBytes,
    db,
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Row = Record<string, unknown>;
export const all = (db: DatabaseSync, sql: string, ...params: (string | number)[]): Row[] =>
  db.prepare(sql).all(...params) as Row[];
export const one = (db: DatabaseSync, sql: string, ...params: (string | number)[]): Row | undefined =>
  db.prepare(sql).get(...params) as Row | undefined;
