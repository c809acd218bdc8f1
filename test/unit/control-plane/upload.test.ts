import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code } from '../../../src/connector/index.js';
import type { GrpcBatonClient } from '../../../src/control-plane/grpc-baton-client.js';
import { fileSha256, UPLOAD_CHUNK_BYTES } from '../../../src/control-plane/upload.js';
import { startFakeControlPlane, type FakeControlPlane } from '../../fakes/control-plane/index.js';
import { clientFor, instantClock, logSink, rejection } from './client-harness.js';

describe('UploadAsset', () => {
  let cp: FakeControlPlane;
  let dir: string;
  let client: GrpcBatonClient;
  let clock: ReturnType<typeof instantClock>;
  let sink: ReturnType<typeof logSink>;
  const size = Math.round(1.3 * 1024 * 1024);
  let file: string;
  let content: Buffer;

  beforeAll(async () => {
    cp = await startFakeControlPlane();
    dir = await mkdtemp(join(tmpdir(), 'upload-test-'));
    file = join(dir, 'sync.c1z');
    content = randomBytes(size);
    await writeFile(file, content);
  });
  beforeEach(() => {
    clock = instantClock();
    sink = logSink();
    client = clientFor(cp, { clock, log: sink.log });
  });
  afterEach(() => client.close());
  afterAll(async () => {
    await cp.close();
    await rm(dir, { recursive: true, force: true });
  });

  const syncTask = async () => {
    const id = cp.enqueueTask({ kind: 'syncFull' });
    expect((await client.getTask()).task?.id).toBe(id);
    return id;
  };

  it('streams metadata, 512 KiB chunks and the whole-file SHA-256 in one stream', async () => {
    const taskId = await syncTask();
    await client.uploadAsset(taskId, file);
    const [upload] = cp.uploads(taskId);
    expect(upload?.hostId).toBe('test-host-1');
    expect(upload?.chunkSizes).toEqual([
      UPLOAD_CHUNK_BYTES,
      UPLOAD_CHUNK_BYTES,
      size - 2 * UPLOAD_CHUNK_BYTES,
    ]);
    expect(upload?.sha256Ok).toBe(true);
    expect(upload?.bytes.equals(content)).toBe(true);
    const frames = cp.calls.filter((c) => c.method === 'UploadAsset').at(-1)?.request as Record<
      string,
      unknown
    >[];
    expect(frames[0]).toEqual({ msg: 'metadata', metadata: { hostId: 'test-host-1', taskId } });
    expect(Object.keys(frames.at(-1) ?? {}).sort()).toEqual(['eof', 'msg']);
    expect(frames.slice(1, -1).map((f) => f.msg)).toEqual(['data', 'data', 'data']);
    expect(clock.sleeps).toEqual([]);
    expect(cp.violations).toEqual([]);
  });

  it('retries from byte 0 after a failed attempt, with no wait before the second attempt', async () => {
    const taskId = await syncTask();
    cp.failNext('UploadAsset', Code.UNAVAILABLE);
    await client.uploadAsset(taskId, file);
    const attempts = cp.calls.filter((c) => c.method === 'UploadAsset' && (c.request as unknown[])?.[0]);
    expect(attempts.slice(-2).map((c) => c.grpcStatus)).toEqual([Code.UNAVAILABLE, 0]);
    expect(cp.uploads(taskId)).toHaveLength(1);
    expect(cp.uploads(taskId)[0]?.bytes.equals(content)).toBe(true);
    expect(clock.sleeps).toEqual([0]);
    expect(sink.lines.filter((l) => l.msg === 'upload attempt failed')).toHaveLength(1);
  });

  it('gets a new token for the next attempt when the server rejects the current one mid-upload', async () => {
    const taskId = await syncTask();
    const tokensBefore = cp.tokenRequests.length;
    cp.expireTokens();
    await client.uploadAsset(taskId, file);
    const attempts = cp.calls.filter((c) => c.method === 'UploadAsset' && (c.request as unknown[])?.[0]);
    expect(attempts.slice(-2).map((c) => c.grpcStatus)).toEqual([Code.UNAUTHENTICATED, 0]);
    expect(cp.tokenRequests.length).toBe(tokensBefore + 1);
    expect(cp.uploads(taskId).at(-1)?.sha256Ok).toBe(true);
  });

  it('gives up after three attempts, waiting 0 s then 1 s, with the last gRPC code', async () => {
    const taskId = await syncTask();
    const before = cp.calls.length;
    cp.failNext('UploadAsset', Code.INTERNAL, 3);
    const err = await rejection(client.uploadAsset(taskId, file));
    expect(err.code).toBe(Code.INTERNAL);
    expect(err.message).toMatch(/^baton-fivetran: UploadAsset: /);
    expect(cp.calls.slice(before).filter((c) => c.method === 'UploadAsset')).toHaveLength(3);
    expect(clock.sleeps).toEqual([0, 1000]);
    expect(cp.uploads(taskId)).toHaveLength(0);
  });

  it('uploads an empty file as metadata and eof only', async () => {
    const taskId = await syncTask();
    const empty = join(dir, 'empty.c1z');
    await writeFile(empty, '');
    await client.uploadAsset(taskId, empty);
    expect(cp.uploads(taskId)[0]).toMatchObject({ chunkSizes: [], sha256Ok: true });
  });

  it('stops when the signal aborts during the retry wait, as CANCELLED, without another attempt', async () => {
    const taskId = await syncTask();
    const before = cp.calls.length;
    const ctl = new AbortController();
    const aborting = {
      now: () => Date.now(),
      sleep: async (_ms: number, signal?: AbortSignal) => {
        ctl.abort(new Error('shutting down'));
        signal?.throwIfAborted();
      },
    };
    client.close();
    client = clientFor(cp, { clock: aborting, log: sink.log });
    cp.failNext('UploadAsset', Code.UNAVAILABLE);
    const err = await rejection(client.uploadAsset(taskId, file, { signal: ctl.signal }));
    expect(err.code).toBe(Code.CANCELLED);
    expect(err.retryable).toBe(false);
    expect(cp.calls.slice(before).filter((c) => c.method === 'UploadAsset')).toHaveLength(1);
  });

  it('fails at once when the signal is already aborted', async () => {
    const taskId = await syncTask();
    const before = cp.calls.length;
    const err = await rejection(client.uploadAsset(taskId, file, { signal: AbortSignal.abort() }));
    expect(err.code).toBe(Code.CANCELLED);
    expect(cp.calls.length).toBe(before);
  });

  it('fails a missing file without calling the server', async () => {
    const taskId = await syncTask();
    const before = cp.calls.length;
    const err = await rejection(client.uploadAsset(taskId, join(dir, 'missing.c1z')));
    expect(err.message).toMatch(/ENOENT/);
    expect(cp.calls.length).toBe(before);
  });

  it('hashes a file in a stream', async () => {
    await expect(fileSha256(file)).resolves.toEqual(createHash('sha256').update(content).digest());
  });
});
