import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { Code } from '../../../src/connector/index.js';
import { encodeGrpcMessage, frameMessage, parseGrpcTimeout } from './grpc-wire.js';

export interface GrpcCallInfo {
  /** Method name, the last segment of the path (e.g. `GetTask`). */
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  readonly userAgent?: string;
  /** Request headers without HTTP/2 pseudo-headers. */
  readonly headers: Record<string, string>;
  /** Wall-clock ms when the call started. */
  readonly at: number;
  /** From `grpc-timeout`, when sent. */
  readonly timeoutMs?: number;
}

/** One call as the fake saw it. */
export interface RecordedCall extends GrpcCallInfo {
  /** Decoded request in model shape; for UploadAsset the array of frames. Absent if never read. */
  readonly request?: unknown;
  /** The status answered, or CANCELLED when the client reset the stream first. */
  readonly grpcStatus: number;
  readonly grpcMessage?: string;
}

export interface GrpcOutcome {
  readonly code: number;
  readonly message?: string;
  /** The response message, for code 0. */
  readonly response?: Uint8Array;
  /** The decoded request, for the call record: one message, or the frames of a stream. */
  readonly request?: unknown;
}

/**
 * Runs one gRPC call over the HTTP/2 compatibility API: reads the whole request body (so a client-streaming
 * call is answered after the client half-closes), hands it to `process`, writes the response frame and the
 * `grpc-status` trailers. A `grpc-timeout` that runs out first answers DEADLINE_EXCEEDED; a client that
 * goes away first is recorded as CANCELLED.
 */
export function serveGrpcCall(
  req: Http2ServerRequest,
  res: Http2ServerResponse,
  o: {
    now: () => number;
    process: (info: GrpcCallInfo, body: Buffer) => GrpcOutcome;
    calls: RecordedCall[];
  },
): void {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (!k.startsWith(':') && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const timeoutMs = parseGrpcTimeout(headers['grpc-timeout']);
  const info: GrpcCallInfo = {
    method: req.url.slice(req.url.lastIndexOf('/') + 1),
    path: req.url,
    ...(headers.authorization !== undefined ? { authorization: headers.authorization } : {}),
    ...(headers['user-agent'] !== undefined ? { userAgent: headers['user-agent'] } : {}),
    headers,
    at: o.now(),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };

  let isDone = false;
  let recorded: { -readonly [K in keyof RecordedCall]: RecordedCall[K] } | undefined;
  const complete = (outcome: GrpcOutcome, write: boolean): void => {
    if (isDone) return;
    isDone = true;
    clearTimeout(timer);
    recorded = {
      ...info,
      ...(outcome.request !== undefined ? { request: outcome.request } : {}),
      grpcStatus: outcome.code,
      ...(outcome.message ? { grpcMessage: outcome.message } : {}),
    };
    o.calls.push(recorded);
    if (!write || res.stream.destroyed || res.writableEnded) return;
    try {
      res.writeHead(200, { 'content-type': 'application/grpc' });
      if (outcome.code === Code.OK && outcome.response) res.write(frameMessage(outcome.response));
      res.addTrailers({
        'grpc-status': String(outcome.code),
        ...(outcome.message ? { 'grpc-message': encodeGrpcMessage(outcome.message) } : {}),
      });
      res.end();
    } catch {
      // The stream closed under us: the client is gone, and the record above already says what we meant.
    }
  };
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => complete({ code: Code.DEADLINE_EXCEEDED, message: 'deadline exceeded' }, true),
          timeoutMs,
        );

  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (isDone) return;
    let outcome: GrpcOutcome;
    try {
      outcome = o.process(info, Buffer.concat(chunks));
    } catch (err) {
      outcome = { code: Code.INTERNAL, message: `fake control plane: ${(err as Error).message}` };
    }
    complete(outcome, true);
  });
  // A client reset (RST_STREAM, e.g. its deadline) also ends the request body, indistinguishably from a
  // half-close; only the close code tells, so the record is corrected then.
  res.on('close', () => {
    const rstCode = res.stream.rstCode ?? 0;
    if (!isDone) complete({ code: Code.CANCELLED, message: 'the client went away' }, false);
    else if (rstCode !== 0 && recorded && recorded.grpcStatus !== Code.DEADLINE_EXCEEDED) {
      recorded.grpcMessage = `client reset the stream (${rstCode}); the fake would have answered ${recorded.grpcStatus} ${recorded.grpcMessage ?? ''}`;
      recorded.grpcStatus = Code.CANCELLED;
    }
  });
  req.on('error', () => complete({ code: Code.CANCELLED, message: 'the request stream failed' }, false));
}
