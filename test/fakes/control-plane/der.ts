// A minimal DER encoder: just the ASN.1 types an X.509 certificate needs.

const length = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};

export const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};

export const der = {
  seq: (...items: Buffer[]): Buffer => tlv(0x30, ...items),
  set: (...items: Buffer[]): Buffer => tlv(0x31, ...items),
  bool: (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00])),
  /** A non-negative big-endian integer. */
  uint: (bytes: Buffer): Buffer => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const trimmed = bytes.subarray(i);
    return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
  },
  oid: (dotted: string): Buffer => {
    const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
    const out = [40 * a + b];
    for (const arc of rest) {
      const groups: number[] = [];
      for (let v = arc; ; v = Math.floor(v / 128)) {
        groups.unshift((v % 128) | (groups.length ? 0x80 : 0));
        if (v < 128) break;
      }
      out.push(...groups);
    }
    return tlv(0x06, Buffer.from(out));
  },
  utf8: (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8')),
  octets: (b: Buffer): Buffer => tlv(0x04, b),
  /** A BIT STRING over whole bytes, e.g. a signature or a public key. */
  bits: (b: Buffer): Buffer => tlv(0x03, Buffer.from([0]), b),
  /** A named-bit BIT STRING (KeyUsage): DER drops trailing zero bits. */
  flags: (byte: number): Buffer => {
    let unused = 0;
    while (unused < 7 && !((byte >> unused) & 1)) unused++;
    return tlv(0x03, Buffer.from([unused, byte]));
  },
  utcTime: (d: Date): Buffer => {
    const iso = d.toISOString(); // 2024-01-02T03:04:05.678Z
    const s = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16);
    return tlv(0x17, Buffer.from(`${s}${iso.slice(17, 19)}Z`, 'ascii'));
  },
  /** [n] EXPLICIT: wraps a complete element. */
  explicit: (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner),
  /** [n] IMPLICIT over a primitive value. */
  implicit: (n: number, raw: Buffer): Buffer => tlv(0x80 | n, raw),
};
