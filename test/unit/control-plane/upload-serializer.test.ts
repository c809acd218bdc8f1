import { randomBytes } from 'node:crypto';
import { decodeMessage, encodeMessage } from '../../../src/connector/index.js';
import { uploadFrameSerializer } from '../../../src/control-plane/upload-serializer.js';

const REQUEST = 'c1.connectorapi.baton.v1.BatonServiceUploadAssetRequest';

describe('uploadFrameSerializer', () => {
  // Lengths around the varint boundaries of the chunk and of the UploadData message around it, up to the
  // proto's 1 MiB limit.
  it.each([1, 125, 126, 127, 128, 16_380, 16_381, 16_383, 16_384, 524_288, 1_048_576])(
    'encodes a %i-byte data frame exactly as the generic encoder does',
    (length) => {
      const frame = { data: { data: randomBytes(length) } };
      const bytes = uploadFrameSerializer()(frame);
      expect(bytes.equals(Buffer.from(encodeMessage(REQUEST, frame)))).toBe(true);
      expect(decodeMessage(REQUEST, bytes)).toMatchObject({ msg: 'data', data: { data: frame.data.data } });
    },
  );

  it('reuses one buffer for every data frame, growing it for a larger one', () => {
    const serialize = uploadFrameSerializer();
    const first = serialize({ data: { data: Buffer.alloc(10_000, 1) } });
    const second = serialize({ data: { data: Buffer.alloc(9_000, 2) } });
    expect(second.buffer).toBe(first.buffer);
    expect(
      second.equals(Buffer.from(encodeMessage(REQUEST, { data: { data: Buffer.alloc(9_000, 2) } }))),
    ).toBe(true);
    const larger = serialize({ data: { data: Buffer.alloc(20_000, 3) } });
    expect(larger.buffer).not.toBe(first.buffer);
    expect(
      larger.equals(Buffer.from(encodeMessage(REQUEST, { data: { data: Buffer.alloc(20_000, 3) } }))),
    ).toBe(true);
  });

  it('encodes metadata, eof and empty data with the generic encoder', () => {
    const serialize = uploadFrameSerializer();
    for (const frame of [
      { metadata: { hostId: 'h', taskId: 't' } },
      { eof: { sha256Checksum: randomBytes(32) } },
      { data: { data: Buffer.alloc(0) } },
    ]) {
      expect(serialize(frame).equals(Buffer.from(encodeMessage(REQUEST, frame)))).toBe(true);
    }
  });
});
