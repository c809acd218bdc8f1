// A protobuf wire writer that writes straight into one growable Buffer: no object per write (protobufjs's
// Writer queues an Op per call and a State per fork and keeps every string until finish()). Its bytes are
// protobufjs's BufferWriter's, byte for byte, including its two UTF-8 paths (see `string`) and LongBits.
import protobuf from 'protobufjs';

/** A 64-bit value as protobufjs accepts it: a number, a decimal string or a Long-like `{ low, high }`. */
export type LongLike = number | string | Bits;

type Bits = { readonly low: number; readonly high: number };
const { Long } = protobuf.util as unknown as { Long: { fromString(s: string): Bits } | null };

// Same technique (and so the same bytes, NaN included) as protobufjs's util.float.
const f32 = new Float32Array(1);
const f64 = new Float64Array(1);
const f32Bytes = new Uint8Array(f32.buffer);
const f64Bytes = new Uint8Array(f64.buffer);

/** Strings shorter than this are encoded by hand, as protobufjs does (see `string`). */
const SHORT_STRING = 40;
/** A scratch buffer that grew past this is dropped after the encode rather than kept. */
const MAX_KEPT = 1 << 20;

export class ProtoWriter {
  buf: Buffer;
  pos = 0;
  /** Start of each open fork: the position of its one reserved length byte. */
  private readonly forks: number[] = [];
  private depth = 0;
  // 64-bit value being written, set by setLong.
  private lo = 0;
  private hi = 0;

  constructor(initialSize = 8192) {
    this.buf = Buffer.allocUnsafeSlow(initialSize);
  }

  reset(): void {
    this.pos = 0;
    this.depth = 0;
  }

  /** A copy of what was written (the caller keeps it; this writer's buffer is reused). */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  /** A copy of bytes `start..end` already written. */
  copy(start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(end - start);
    this.buf.copy(out, 0, start, end);
    return out;
  }

  /** Whether the buffer grew so large that keeping it between encodes would hold memory for nothing. */
  get oversized(): boolean {
    return this.buf.length > MAX_KEPT;
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(need, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  uint32(value: number): void {
    let v = value >>> 0;
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    while (v > 127) {
      buf[pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  int32(value: number): void {
    const v = value | 0;
    if (v < 0) {
      // Sign-extended to 64 bits: ten bytes, as the spec (and protobufjs) write a negative int32.
      this.lo = v >>> 0;
      this.hi = 0xffffffff;
      this.varint64();
    } else this.uint32(v);
  }

  sint32(value: number): void {
    this.uint32(((value << 1) ^ (value >> 31)) >>> 0);
  }

  bool(value: unknown): void {
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.fixed32At(value >>> 0);
  }

  private fixed32At(v: number): void {
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = v & 255;
    buf[pos + 1] = (v >>> 8) & 255;
    buf[pos + 2] = (v >>> 16) & 255;
    buf[pos + 3] = v >>> 24;
    this.pos = pos + 4;
  }

  float(value: number): void {
    f32[0] = value;
    this.ensure(4);
    this.buf.set(f32Bytes, this.pos);
    this.pos += 4;
  }

  double(value: number): void {
    f64[0] = value;
    this.ensure(8);
    this.buf.set(f64Bytes, this.pos);
    this.pos += 8;
  }

  int64(value: LongLike): void {
    this.setLong(value);
    this.varint64();
  }

  sint64(value: LongLike): void {
    this.setLong(value);
    const mask = this.hi >> 31;
    this.hi = (((this.hi << 1) | (this.lo >>> 31)) ^ mask) >>> 0;
    this.lo = ((this.lo << 1) ^ mask) >>> 0;
    this.varint64();
  }

  fixed64(value: LongLike): void {
    this.setLong(value);
    this.ensure(8);
    this.fixed32At(this.lo);
    this.fixed32At(this.hi);
  }

  /** protobufjs's LongBits.from, into `lo`/`hi`. */
  private setLong(input: LongLike): void {
    let value = input;
    if (typeof value === 'string') {
      if (Long) value = Long.fromString(value);
      else value = parseInt(value, 10);
    }
    if (typeof value === 'number') {
      let v = value;
      if (v === 0) {
        this.lo = this.hi = 0;
        return;
      }
      const sign = v < 0;
      if (sign) v = -v;
      let lo = v >>> 0;
      let hi = ((v - lo) / 4294967296) >>> 0;
      if (sign) {
        hi = ~hi >>> 0;
        lo = ~lo >>> 0;
        if (++lo > 4294967295) {
          lo = 0;
          if (++hi > 4294967295) hi = 0;
        }
      }
      this.lo = lo;
      this.hi = hi;
      return;
    }
    this.lo = value.low >>> 0;
    this.hi = value.high >>> 0;
  }

  private varint64(): void {
    let lo = this.lo;
    let hi = this.hi;
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (hi) {
      buf[pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 127) {
      buf[pos++] = (lo & 127) | 128;
      lo >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  /** Length-prefixed bytes: a Uint8Array (or array of byte values), or base64 text as protobufjs takes it. */
  bytes(value: ArrayLike<number> | string): void {
    const src = typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    const len = src.length >>> 0;
    this.uint32(len);
    if (!len) return;
    this.ensure(len);
    this.buf.set(src, this.pos);
    this.pos += len;
  }

  /**
   * Length-prefixed UTF-8. protobufjs writes strings under 40 code units with its own encoder, which turns a
   * lone surrogate into its three-byte form (ED A0 80 for U+D800), and longer ones with Node's, which writes
   * U+FFFD instead; both paths are kept so the bytes stay the same. Either way a lone surrogate is 3 bytes.
   */
  string(value: string): void {
    const n = value.length;
    if (n < SHORT_STRING) {
      // At most 3 bytes per code unit: under 128 bytes, so the length is one byte, written after the text.
      this.ensure(1 + 3 * n);
      const buf = this.buf;
      const start = this.pos;
      let pos = start + 1;
      for (let i = 0; i < n; i++) {
        let c1 = value.charCodeAt(i);
        let c2: number;
        if (c1 < 128) buf[pos++] = c1;
        else if (c1 < 2048) {
          buf[pos++] = (c1 >> 6) | 192;
          buf[pos++] = (c1 & 63) | 128;
        } else if ((c1 & 0xfc00) === 0xd800 && ((c2 = value.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
          c1 = 0x10000 + ((c1 & 0x03ff) << 10) + (c2 & 0x03ff);
          i++;
          buf[pos++] = (c1 >> 18) | 240;
          buf[pos++] = ((c1 >> 12) & 63) | 128;
          buf[pos++] = ((c1 >> 6) & 63) | 128;
          buf[pos++] = (c1 & 63) | 128;
        } else {
          buf[pos++] = (c1 >> 12) | 224;
          buf[pos++] = ((c1 >> 6) & 63) | 128;
          buf[pos++] = (c1 & 63) | 128;
        }
      }
      buf[start] = pos - start - 1;
      this.pos = pos;
      return;
    }
    const len = Buffer.byteLength(value);
    this.uint32(len);
    this.ensure(len);
    this.pos += this.buf.write(value, this.pos, len, 'utf8');
  }

  /** Opens a length-delimited body: one byte is reserved for its length. */
  fork(): void {
    this.ensure(1);
    this.forks[this.depth++] = this.pos++;
  }

  /** Closes the innermost fork: writes its length, moving the body when the length needs more than a byte. */
  ldelim(): void {
    const at = this.forks[--this.depth]!;
    const body = at + 1;
    const len = this.pos - body;
    if (len < 128) {
      this.buf[at] = len;
      return;
    }
    const extra = (len < 16384 ? 2 : len < 2097152 ? 3 : len < 268435456 ? 4 : 5) - 1;
    this.ensure(extra);
    this.buf.copyWithin(body + extra, body, this.pos);
    this.pos += extra;
    const buf = this.buf;
    let pos = at;
    let v = len;
    while (v > 127) {
      buf[pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[pos] = v;
  }

  /** Start of the innermost open fork's body. */
  get forkBody(): number {
    return this.forks[this.depth - 1]! + 1;
  }
}
