import { encodeMessage } from '../connector/index.js';
import type { UploadFrame } from './upload.js';

const REQUEST = 'c1.connectorapi.baton.v1.BatonServiceUploadAssetRequest';
// Tags (field number << 3 | wire type 2, varint-encoded) of `UploadData data = 101` in the request's oneof
// and of `bytes data = 1` inside UploadData.
const DATA_TAG = [0xaa, 0x06] as const;
const BYTES_TAG = 0x0a;

/**
 * The request serializer of one UploadAsset stream. Data frames, the only large ones, are encoded into one
 * buffer reused for every chunk instead of a new one each time: grpc-js copies the serialized bytes into a
 * framed buffer of its own before it calls the write's callback, and the stream sends the next frame only
 * after that callback. Other frames, and empty data, go through the generic encoder; the bytes are the same.
 */
export function uploadFrameSerializer(): (frame: UploadFrame) => Buffer {
  let out = Buffer.alloc(0);
  return (frame) => {
    if (!('data' in frame) || frame.data.data.length === 0) {
      const bytes = encodeMessage(REQUEST, frame);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength); // a view, not a copy
    }
    const data = frame.data.data;
    const inner = 1 + varintLength(data.length) + data.length;
    const size = DATA_TAG.length + varintLength(inner) + inner;
    if (out.length < size) out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const b of DATA_TAG) out[at++] = b;
    at = writeVarint(out, at, inner);
    out[at++] = BYTES_TAG;
    at = writeVarint(out, at, data.length);
    out.set(data, at);
    return out.subarray(0, size);
  };
}

const varintLength = (n: number): number => {
  let length = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    length++;
  }
  return length;
};

function writeVarint(buf: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[at++] = n;
  return at;
}
