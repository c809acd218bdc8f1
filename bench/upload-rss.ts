// RSS of a service-mode upload: streams a file of --mib MiB (default 80) to the fake control plane over
// real gRPC/TLS with the real GrpcBatonClient, and prints the upload's duration and CPU time and how far RSS,
// external and array-buffer memory rose above what they were just before the upload (sampled every 10 ms,
// and maxRSS). The fake runs in a child process (it keeps what it receives), so only the uploading side is
// measured. The bench re-runs itself with the image's NODE_OPTIONS and MALLOC_* settings (Dockerfile `ENV`),
// as the daemon runs in a pod; --node-options '…' replaces the NODE_OPTIONS.
//   npx tsc -p tsconfig.bench.json && node .bench-build/bench/upload-rss.js [--mib 80] [--node-options '…']
import { fork, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { imageEnv } from '../soak/image-env.js';
import { GrpcBatonClient } from '../src/control-plane/grpc-baton-client.js';
import { startFakeControlPlane } from '../test/fakes/control-plane/index.js';

interface Served {
  readonly host: string;
  readonly caPem: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

const IMAGE_ENV_SET = 'UPLOAD_RSS_IMAGE_ENV';

if (process.argv[2] !== '--serve' && process.env[IMAGE_ENV_SET] === undefined) {
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const env = imageEnv(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  const at = process.argv.indexOf('--node-options');
  if (at > 0) env.NODE_OPTIONS = process.argv[at + 1] ?? '';
  const run = spawnSync(process.execPath, process.argv.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, ...env, [IMAGE_ENV_SET]: Object.keys(env).join(' ') },
  });
  process.exit(run.status ?? 1);
} else if (process.argv[2] === '--serve') {
  const cp = await startFakeControlPlane();
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'task') process.send?.({ taskId: cp.enqueueTask({ kind: 'syncFull' }) });
    else if (m.cmd === 'uploads') {
      process.send?.({ uploads: cp.uploads().map((u) => ({ bytes: u.bytes.length, sha256Ok: u.sha256Ok })) });
    } else if (m.cmd === 'exit') void cp.close().then(() => process.disconnect());
  });
  const served: Served = {
    host: cp.host,
    caPem: cp.caPem,
    clientId: cp.clientId,
    clientSecret: cp.clientSecret,
  };
  process.send?.(served);
} else {
  const at = process.argv.indexOf('--mib');
  const mib = at > 0 ? Number(process.argv[at + 1]) : 80;
  const server = fork(fileURLToPath(import.meta.url), ['--serve']);
  const ask = <T>(m: object | undefined): Promise<T> =>
    new Promise((resolve) => {
      server.once('message', (reply) => resolve(reply as T));
      if (m) server.send(m);
    });
  const served = await ask<Served>(undefined);
  const dir = mkdtempSync(join(tmpdir(), 'upload-rss-'));
  try {
    const small = join(dir, 'small.c1z');
    const file = join(dir, 'big.c1z');
    writeFileSync(small, randomBytes(1024 * 1024));
    writeFileSync(file, '');
    for (let i = 0; i < mib; i++) appendFileSync(file, randomBytes(1024 * 1024));
    const client = new GrpcBatonClient({
      clientId: served.clientId,
      clientSecret: served.clientSecret,
      apiHostOverride: served.host,
      hostId: 'bench-host',
      helloInfo: () => ({ connectorMetadata: { displayName: 'bench', description: 'upload RSS' } }),
      version: '0.0.0',
      httpTimeoutMs: 30_000,
      log: pino({ level: 'warn' }),
      extraCaPem: served.caPem,
    });
    const upload = async (path: string) => {
      const { taskId } = await ask<{ taskId: string }>({ cmd: 'task' });
      await client.getTask();
      await client.uploadAsset(taskId, path);
    };
    await upload(small); // loads TLS, grpc-js and protobuf code before the baseline
    const mem = () => process.memoryUsage();
    const base = mem();
    const peak = { rss: base.rss, external: base.external, arrayBuffers: base.arrayBuffers };
    const timer = setInterval(() => {
      const m = mem();
      peak.rss = Math.max(peak.rss, m.rss);
      peak.external = Math.max(peak.external, m.external);
      peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
    }, 10);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await upload(file);
    const cpu = process.cpuUsage(cpu0);
    const ms = performance.now() - t0;
    clearInterval(timer);
    const m = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
    const { uploads } = await ask<{ uploads: { bytes: number; sha256Ok: boolean }[] }>({ cmd: 'uploads' });
    const last = uploads.at(-1);
    console.log(
      `upload of ${mib} MiB in ${(ms / 1000).toFixed(2)} s (received ${last?.bytes} bytes, checksum ${last?.sha256Ok ? 'ok' : 'BAD'})`,
    );
    const s = (us: number) => `${(us / 1e6).toFixed(2)} s`;
    console.log(
      `  CPU of the upload ${s(cpu.user + cpu.system)} (user ${s(cpu.user)}, system ${s(cpu.system)})`,
    );
    console.log(`  RSS before ${m(base.rss)}, sampled peak ${m(peak.rss)}: +${m(peak.rss - base.rss)}`);
    console.log(`  maxRSS of the process ${m(process.resourceUsage().maxRSS * 1024)}`);
    console.log(
      `  external +${m(peak.external - base.external)}, array buffers +${m(peak.arrayBuffers - base.arrayBuffers)} (sampled peaks)`,
    );
    console.log(
      `  NODE_OPTIONS ${process.env.NODE_OPTIONS ?? '-'}, ${(process.env[IMAGE_ENV_SET] ?? '')
        .split(' ')
        .filter((k) => k.startsWith('MALLOC_'))
        .map((k) => `${k}=${process.env[k]}`)
        .join(' ')}; execArgv ${process.execArgv.join(' ') || '-'}; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    server.send({ cmd: 'exit' });
  }
}
