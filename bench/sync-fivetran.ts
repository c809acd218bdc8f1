// Starts the fake Fivetran with a generated dataset (default 5,000 users), runs the real CLI
// (`node dist/main.js`, one-shot) against it as a child process, and prints elapsed time, Fivetran requests
// (total and per endpoint, counted by the fake), the c1z contents and the CLI's peak RSS.
// Build and run: see bench/README.md. Options: --users N --groups N --teams N --latency-ms N --concurrency N
// --connections N (default 0) --system-keys N (default 0); BENCH_CLI_ENV='K=V K=V' adds CLI environment
// variables (e.g. BATON_CONNECTION_USER_SCAN=always).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { C1zReader } from '../src/c1z/index.js';
import { generateDataset, startFakeFivetran } from '../test/fakes/fivetran/index.js';

const option = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const users = option('users', 5_000);
const groups = option('groups', 50);
const teams = option('teams', 100);
const latencyMs = option('latency-ms', 0);
const concurrency = option('concurrency', 4);
const connections = option('connections', 0);
const systemKeys = option('system-keys', 0);
const extraEnv = Object.fromEntries(
  (process.env.BENCH_CLI_ENV ?? '')
    .split(' ')
    .filter((kv) => kv.includes('='))
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const mainJs = join(repoRoot, 'dist', 'main.js');
const probe = fileURLToPath(new URL('./sync-rss-probe.js', import.meta.url));
if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run \`npm run build\` first`);

/** `/v1/teams/abc_def/users/x_y` → `/v1/teams/{id}/users/{id}`. */
const endpoint = (path: string): string =>
  path
    .split('/')
    .map((part, i, parts) => (i >= 3 && i % 2 === 1 && parts[2] !== 'account' ? '{id}' : part))
    .join('/');

const dataset = generateDataset({ seed: 1, users, groups, teams, connections, systemKeys });
const fake = await startFakeFivetran({ dataset, latencyMs, hourlyQuota: 10_000_000 });
const dir = mkdtempSync(join(tmpdir(), 'bench-fivetran-'));
try {
  const file = join(dir, 'out.c1z');
  // e.g. BENCH_CLI_NODE_ARGS='--trace-gc' (flags NODE_OPTIONS refuses); split on spaces.
  const nodeArgs = (process.env.BENCH_CLI_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [...nodeArgs, '--import', probe, mainJs, '--fivetran-base-url', fake.baseUrl, '-f', file];
  const env = {
    PATH: process.env.PATH ?? '',
    BATON_FIVETRAN_API_KEY: fake.keys.admin.key,
    BATON_FIVETRAN_API_SECRET: fake.keys.admin.secret,
    BATON_FIVETRAN_CONCURRENCY: String(concurrency),
    BATON_LOG_LEVEL: 'warn',
    ...extraEnv,
    // e.g. BENCH_CLI_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the CLI.
    ...(process.env.BENCH_CLI_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_CLI_NODE_OPTIONS } : {}),
  };
  const t0 = performance.now();
  // Asynchronous spawn: the fake serves from this process's event loop while the CLI runs.
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.on('error', fail);
    child.on('close', (exitCode) => done({ code: exitCode, stderr: err }));
  });
  const elapsedMs = performance.now() - t0;
  const probeLine = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('{"benchPeakRssKb"'));
  const probed = (probeLine ? JSON.parse(probeLine) : {}) as Partial<Record<string, number>>;
  const mib = (kb: number | undefined) => (kb === undefined ? '?' : `${Math.round(kb / 1024)} MiB`);
  if (code !== 0) {
    process.stderr.write(stderr);
    throw new Error(`the CLI exited with ${code}`);
  }

  const reader = await C1zReader.open(file);
  const stats = reader.stats();
  await reader.close();
  const byEndpoint = new Map<string, number>();
  for (const r of fake.requests) {
    const key = `${r.method} ${endpoint(r.path)}`;
    byEndpoint.set(key, (byEndpoint.get(key) ?? 0) + 1);
  }
  const statuses = new Map<number, number>();
  for (const r of fake.requests) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);

  console.log(
    `dataset: ${dataset.users.length} users, ${dataset.groups.length} groups, ${dataset.teams.length} teams, ` +
      `${dataset.groupMemberships.length} group memberships, ${dataset.teamMemberships.length} team memberships, ` +
      `${dataset.connections.length} connections (${dataset.userConnections.length} user and ` +
      `${dataset.teamConnections.length} team connection memberships), ${dataset.systemKeys.length} system keys; ` +
      `fake latency ${latencyMs} ms, --fivetran-concurrency ${concurrency}`,
  );
  console.log(`elapsed (process start to exit): ${(elapsedMs / 1000).toFixed(2)} s`);
  console.log(
    `fivetran requests:               ${fake.requestCount()} (by status: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')})`,
  );
  for (const [key, n] of [...byEndpoint].sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(n).padStart(6)}  ${key}`);
  console.log(
    `c1z:                             ${(statSync(file).size / 1024 / 1024).toFixed(2)} MiB, ` +
      `${stats.resources} resources, ${stats.entitlements} entitlements, ${stats.grants} grants`,
  );
  console.log(
    `CLI peak RSS:                    ${mib(probed.benchPeakRssKb)} (sampled peaks: V8 heap used ` +
      `${mib(probed.peakHeapUsedKb)}, external ${mib(probed.peakExternalKb)}, array buffers ` +
      `${mib(probed.peakArrayBuffersKb)})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await fake.close();
}
