// gRPC over HTTP/2 framing, done by hand (PROTOCOL-HTTP2.md): 1-byte compressed flag, 4-byte length, bytes.
import { Code } from '../../../src/connector/index.js';

/** Thrown by a method handler to end the call with a non-OK status. */
export class GrpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function frameMessage(bytes: Uint8Array): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([prefix, bytes]);
}

/** Splits a request body into messages; throws a GrpcFailure on compression or a truncated frame. */
export function splitMessages(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    if (body.length - at < 5) throw new GrpcFailure(Code.INTERNAL, 'truncated gRPC frame prefix');
    if (body[at] !== 0) throw new GrpcFailure(Code.UNIMPLEMENTED, 'compressed messages are not supported');
    const size = body.readUInt32BE(at + 1);
    if (body.length - at - 5 < size) throw new GrpcFailure(Code.INTERNAL, 'truncated gRPC message');
    out.push(body.subarray(at + 5, at + 5 + size));
    at += 5 + size;
  }
  return out;
}

const UNIT_MS: Record<string, number> = { H: 3600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/** `grpc-timeout` (e.g. `30S`, `29999958u`) in milliseconds, or undefined when absent or malformed. */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  const m = /^(\d{1,8})([HMSmun])$/.exec(value ?? '');
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

/** grpc-message is percent-encoded: everything outside printable ASCII, and `%` itself. */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
