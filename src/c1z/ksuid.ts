import { randomBytes } from 'node:crypto';

// KSUID as in github.com/segmentio/ksuid: 4-byte big-endian seconds since the KSUID epoch, then 16 random
// bytes, written as 27 base62 characters (zero-padded). The SDK's Pebble import rejects anything else.

const EPOCH_SECONDS = 1_400_000_000;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ENCODED_LENGTH = 27;
const PAYLOAD_BYTES = 16;
const MAX_VALUE = (1n << 160n) - 1n;

export interface DecodedKsuid {
  /** Seconds since the Unix epoch. */
  readonly timestampSeconds: number;
  readonly payload: Uint8Array;
}

/** A new KSUID for the instant `nowMs`; `random(n)` supplies the 16 payload bytes (crypto by default). */
export function newKsuid(nowMs: number, random: (size: number) => Uint8Array = randomBytes): string {
  const seconds = Math.floor(nowMs / 1000) - EPOCH_SECONDS;
  if (seconds < 0 || seconds > 0xffff_ffff) throw new RangeError(`time ${nowMs} is outside the KSUID range`);
  const payload = random(PAYLOAD_BYTES);
  if (payload.length !== PAYLOAD_BYTES) throw new RangeError('KSUID payload must be 16 bytes');
  let value = BigInt(seconds);
  for (const byte of payload) value = (value << 8n) | BigInt(byte);
  let text = '';
  while (value > 0n) {
    text = ALPHABET[Number(value % 62n)] + text;
    value /= 62n;
  }
  return text.padStart(ENCODED_LENGTH, '0');
}

/** Parses a KSUID; returns undefined when it is not 27 base62 characters within the 160-bit range. */
export function decodeKsuid(text: string): DecodedKsuid | undefined {
  if (text.length !== ENCODED_LENGTH) return undefined;
  let value = 0n;
  for (const ch of text) {
    const digit = ALPHABET.indexOf(ch);
    if (digit < 0) return undefined;
    value = value * 62n + BigInt(digit);
  }
  if (value > MAX_VALUE) return undefined;
  const payload = new Uint8Array(PAYLOAD_BYTES);
  for (let i = PAYLOAD_BYTES - 1; i >= 0; i--) {
    payload[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return { timestampSeconds: Number(value) + EPOCH_SECONDS, payload };
}
