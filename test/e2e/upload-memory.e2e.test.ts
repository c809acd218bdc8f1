// Upload memory guard (issue 10): a service-mode upload must hold about a chunk or two, whatever the file's
// size. The uploader is a child process running the built GrpcBatonClient with the image's NODE_OPTIONS and
// MALLOC_* settings, against the fake control plane in this process (which keeps what it receives, so it
// cannot share the measured process). The child samples the bytes held by its ArrayBuffers (Buffers live
// there, off the JS heap) every millisecond during a 64 MiB upload. Without the scavenges in the upload
// stream, every chunk's framed copy piles up until V8's external-memory limit (~64 MiB) forces a GC: the peak
// was 44–48 MiB above the level before the upload; with them 3.5 MiB, the upload's three 512 KiB buffers
// (read, hash, encode) and a few chunks of garbage. No timing is asserted.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFakeControlPlane, type FakeControlPlane } from '../fakes/control-plane/index.js';
import { assertBuilt, REPO_ROOT, runImageNode } from './harness.js';

assertBuilt();

const MIB = 1024 * 1024;
const CLIENT_JS = pathToFileURL(join(REPO_ROOT, 'dist', 'control-plane', 'grpc-baton-client.js')).href;

// Uploads argv's small file (warm-up: TLS, grpc-js and protobuf code load before the baseline), then the big
// one while sampling; prints the task ids and memory figures as one JSON line.
const UPLOADER = `
  import pino from 'pino';
  import { GrpcBatonClient } from ${JSON.stringify(CLIENT_JS)};
  const o = JSON.parse(process.argv[1]);
  const client = new GrpcBatonClient({
    clientId: o.clientId, clientSecret: o.clientSecret, apiHostOverride: o.host, extraCaPem: o.caPem,
    hostId: 'upload-memory', helloInfo: () => ({ connectorMetadata: { displayName: 't', description: 't' } }),
    httpTimeoutMs: 30000, log: pino({ level: 'warn' }),
  });
  const upload = async (path) => {
    const { task } = await client.getTask();
    await client.uploadAsset(task.id, path);
    return task.id;
  };
  const small = await upload(o.small);
  const before = process.memoryUsage();
  let peakArrayBuffers = before.arrayBuffers;
  const timer = setInterval(() => {
    peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
  }, 1);
  const big = await upload(o.big);
  clearInterval(timer);
  client.close();
  console.log(JSON.stringify({ small, big, before: before.arrayBuffers, peakArrayBuffers }));
`;

interface Measured {
  readonly small: string;
  readonly big: string;
  readonly before: number;
  readonly peakArrayBuffers: number;
}

describe('service-mode upload memory', () => {
  let cp: FakeControlPlane;
  let dir: string;

  beforeAll(async () => {
    cp = await startFakeControlPlane();
    dir = mkdtempSync(join(tmpdir(), 'upload-memory-'));
  });
  afterAll(async () => {
    await cp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds about a chunk or two while uploading 64 MiB', async () => {
    const small = join(dir, 'small.c1z');
    const big = join(dir, 'big.c1z');
    writeFileSync(small, randomBytes(MIB));
    writeFileSync(big, '');
    for (let i = 0; i < 64; i++) appendFileSync(big, randomBytes(MIB));
    cp.enqueueTask({ kind: 'syncFull' });
    cp.enqueueTask({ kind: 'syncFull' });

    const arg = JSON.stringify({
      host: cp.host,
      caPem: cp.caPem,
      clientId: cp.clientId,
      clientSecret: cp.clientSecret,
      small,
      big,
    });
    const { code, stdout, stderr } = await runImageNode(UPLOADER, arg);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const m = JSON.parse(stdout) as Measured;

    const [upload] = cp.uploads(m.big);
    expect(upload?.sha256Ok).toBe(true);
    expect(upload?.bytes.equals(readFileSync(big))).toBe(true);
    expect(cp.uploads(m.small)[0]?.sha256Ok).toBe(true);
    // Measured 3.5 MiB; without the scavenges 44–48 MiB.
    expect((m.peakArrayBuffers - m.before) / MIB).toBeLessThan(8);
  }, 120_000);
});
