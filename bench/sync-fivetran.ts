// `npm run bench`: one-shot syncs of the real CLI (`node dist/main.js`, a child process) against the fake
// Fivetran (another child process, sync-fake-server.ts, as a real Fivetran is another machine) with a
// generated account and a fixed latency added to every request. An unmeasured sync without latency runs
// first, so that every measured run is served pages the fake has already serialised.
// Runs the default concurrency and concurrency 1 with latency, then the default concurrency without latency
// (the CPU the sync needs), and prints per run: wall time, the latency floor and the ratio, requests against
// the minimum, CPU time, rows per second of the c1z writer, peak RSS and the c1z size; then the speed-up of
// the default concurrency over 1. Writes the same figures as JSON.
//
// Options: --users N (10000) --groups N (users/20) --teams N (users/50) --latency-ms N (25)
//   --concurrency N (the config default) --runs default,1,cpu (any subset) --json FILE
//   --node-options '…' (default: NODE_OPTIONS of the Dockerfile, as the image runs it) --show-cli-output
//   --cli-main-js PATH (another build's dist/main.js, to measure a before/after pair with the same bench)
//   --account-wide-users N|uncapped (users/100) --connections N (0) --system-keys N (0); BENCH_CLI_ENV='K=V K=V' adds CLI environment variables
//   (e.g. BATON_CONNECTION_USER_SCAN=always).
// Profiling: BENCH_CLI_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (see bench/README.md).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { C1zReader } from '../src/c1z/index.js';
import { fieldByFlag } from '../src/config/schema.js';
import { imageEnv } from '../soak/image-env.js';
import { ACCOUNT_LEVEL_ROLES, generateDataset } from '../test/fakes/fivetran/index.js';

const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const num = (name: string, fallback: number): number => {
  const v = arg(name);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
};

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const defaultConcurrency = Number(fieldByFlag.get('fivetran-concurrency')?.default);
const users = num('users', 10_000);
const groups = num('groups', Math.max(1, Math.round(users / 20)));
const teams = num('teams', Math.max(1, Math.round(users / 50)));
const latencyMs = num('latency-ms', 25);
const concurrency = num('concurrency', defaultConcurrency);
// Users holding an account-wide role are listed on every group (fivetran-api.md §6.1), so they set the size
// of every group page. Default: 1% of the users, which keeps each group listing to one page at 10k and 50k
// users, the shape of the issue's figures (913 requests at 10k); `--account-wide-users uncapped` keeps the
// generator's draw (about a quarter of the users: 2,500 extra rows on every group at 10k).
const accountWideArg = arg('account-wide-users');
const accountWideUsers =
  accountWideArg === 'uncapped' ? undefined : num('account-wide-users', Math.round(users / 100));
const connections = num('connections', 0);
const systemKeys = num('system-keys', 0);
const extraEnv = Object.fromEntries(
  (process.env.BENCH_CLI_ENV ?? '')
    .split(' ')
    .filter((kv) => kv.includes('='))
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const runNames = (arg('runs') ?? 'default,1,cpu').split(',').filter(Boolean);
const jsonPath = arg('json') ?? join(repoRoot, '.bench-build', `sync-bench-${users}-users.json`);
// The image's environment (Dockerfile `ENV`: NODE_OPTIONS and glibc's MALLOC_* thresholds), so the CLI runs as
// in production; `--node-options` replaces NODE_OPTIONS.
const imageEnvironment = imageEnv(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const nodeOptions = arg('node-options') ?? imageEnvironment.NODE_OPTIONS ?? '';
const mallocEnv = Object.fromEntries(
  Object.entries(imageEnvironment).filter(([k]) => k.startsWith('MALLOC_')),
);

// Another build of the CLI to compare with (e.g. a worktree of an older commit, built there).
const mainJs = arg('cli-main-js') ?? join(repoRoot, 'dist', 'main.js');
const probe = fileURLToPath(new URL('./sync-rss-probe.js', import.meta.url));
if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run \`npm run build\` first`);

interface RunSpec {
  readonly name: string;
  readonly concurrency: number;
  readonly latencyMs: number;
}

interface RunResult extends RunSpec {
  readonly wallMs: number;
  readonly syncMs: number | undefined;
  readonly floorMs: number;
  readonly ratio: number | undefined;
  readonly requests: number;
  readonly minimumRequests: number;
  readonly maxInFlight: number;
  readonly fakeMeanResponseMs: number;
  readonly statuses: Record<string, number>;
  readonly cpuMs: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly fakeCpuMs: number;
  readonly c1zRows: number | undefined;
  readonly c1zWriteMs: number | undefined;
  readonly c1zRowsPerSecond: number | undefined;
  readonly c1zWriteCpuMs: number | undefined;
  readonly c1zRowsPerCpuSecond: number | undefined;
  readonly peakRssMiB: number;
  readonly peakHeapUsedMiB: number;
  readonly peakExternalMiB: number;
  readonly peakArrayBuffersMiB: number;
  readonly atPeakRss: Record<string, number> | undefined;
  readonly c1zBytes: number;
  readonly resources: number;
  readonly entitlements: number;
  readonly grants: number;
  readonly loadAverage: readonly number[];
}

const specs: RunSpec[] = runNames.map((name) => {
  if (name === 'default') return { name: `concurrency ${concurrency}`, concurrency, latencyMs };
  if (name === 'cpu') return { name: `no latency, concurrency ${concurrency}`, concurrency, latencyMs: 0 };
  const c = Number(name);
  if (!Number.isInteger(c) || c < 1) throw new Error(`--runs: unknown run ${name}`);
  return { name: `concurrency ${c}`, concurrency: c, latencyMs };
});

interface FakeStarted {
  readonly baseUrl: string;
  readonly keys: { readonly key: string; readonly secret: string };
  readonly minimumRequests: number;
}
interface FakeStats {
  readonly requests: number;
  readonly maxInFlight: number;
  readonly meanResponseMs: number;
  readonly statuses: Record<string, number>;
  readonly cpuMs: number;
}

/** Sends one command to the fake's process and waits for its answer. */
function ask<T>(server: ChildProcess, command: object): Promise<T> {
  return new Promise((resolve, reject) => {
    server.once('message', (m) => {
      server.off('exit', reject);
      resolve(m as T);
    });
    server.once('exit', reject);
    server.send(command);
  });
}

async function run(server: ChildProcess, spec: RunSpec): Promise<RunResult> {
  const fake = await ask<FakeStarted>(server, { cmd: 'start', latencyMs: spec.latencyMs });
  let fakeStats: FakeStats | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bench-fivetran-'));
  try {
    const { minimumRequests } = fake;
    const file = join(dir, 'out.c1z');
    // e.g. BENCH_CLI_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (also flags NODE_OPTIONS refuses).
    const nodeArgs = (process.env.BENCH_CLI_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const args = [...nodeArgs, '--import', probe, mainJs, '--fivetran-base-url', fake.baseUrl, '-f', file];
    const env = {
      PATH: process.env.PATH ?? '',
      BATON_FIVETRAN_API_KEY: fake.keys.key,
      BATON_FIVETRAN_API_SECRET: fake.keys.secret,
      BATON_FIVETRAN_CONCURRENCY: String(spec.concurrency),
      BATON_LOG_LEVEL: 'info',
      BATON_LOG_FORMAT: 'json',
      ...mallocEnv,
      ...extraEnv,
      NODE_OPTIONS: nodeOptions,
      ...(process.env.BENCH_PROBE_TIMELINE ? { BENCH_PROBE_TIMELINE: process.env.BENCH_PROBE_TIMELINE } : {}),
    };
    const t0 = performance.now();
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
    const wallMs = performance.now() - t0;
    // e.g. with BENCH_CLI_NODE_ARGS='--trace-gc', which prints on stdout.
    if (process.argv.includes('--show-cli-output')) process.stdout.write(out.stdout + out.stderr);
    fakeStats = await ask<FakeStats>(server, { cmd: 'stop' });
    if (out.code !== 0) {
      process.stderr.write(out.stdout + out.stderr);
      throw new Error(`the CLI exited with ${out.code}`);
    }
    const jsonLines = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const probed = jsonLines(out.stderr).find((l) => 'benchPeakRssKb' in l) as Record<string, number> & {
      atPeakRss?: Record<string, number>;
    };
    const finished = jsonLines(out.stderr).findLast((l) => l.msg === 'sync finished') ?? {};
    const c1zRows = typeof finished.c1zRowsWritten === 'number' ? finished.c1zRowsWritten : undefined;
    const c1zWriteMs = typeof finished.c1zWriteMs === 'number' ? finished.c1zWriteMs : undefined;
    const c1zWriteCpuMs = typeof finished.c1zWriteCpuMs === 'number' ? finished.c1zWriteCpuMs : undefined;

    const reader = await C1zReader.open(file);
    const stats = reader.stats();
    await reader.close();
    const floorMs = (minimumRequests * spec.latencyMs) / spec.concurrency;
    const mib = (kb: number | undefined) => Math.round((kb ?? 0) / 1024);
    return {
      ...spec,
      wallMs,
      syncMs: typeof finished.durationMs === 'number' ? finished.durationMs : undefined,
      floorMs,
      ratio: floorMs > 0 ? wallMs / floorMs : undefined,
      requests: fakeStats.requests,
      minimumRequests,
      maxInFlight: fakeStats.maxInFlight,
      fakeMeanResponseMs: fakeStats.meanResponseMs,
      statuses: fakeStats.statuses,
      cpuMs: ((probed.cpuUserUs ?? 0) + (probed.cpuSystemUs ?? 0)) / 1000,
      cpuUserMs: (probed.cpuUserUs ?? 0) / 1000,
      cpuSystemMs: (probed.cpuSystemUs ?? 0) / 1000,
      fakeCpuMs: fakeStats.cpuMs,
      c1zRows,
      c1zWriteMs,
      c1zRowsPerSecond: c1zRows && c1zWriteMs ? Math.round((c1zRows / c1zWriteMs) * 1000) : undefined,
      c1zWriteCpuMs,
      c1zRowsPerCpuSecond:
        c1zRows && c1zWriteCpuMs ? Math.round((c1zRows / c1zWriteCpuMs) * 1000) : undefined,
      peakRssMiB: mib(probed.benchPeakRssKb),
      peakHeapUsedMiB: mib(probed.peakHeapUsedKb),
      peakExternalMiB: mib(probed.peakExternalKb),
      peakArrayBuffersMiB: mib(probed.peakArrayBuffersKb),
      atPeakRss:
        probed.atPeakRss &&
        Object.fromEntries(
          Object.entries(probed.atPeakRss).map(([k, v]) =>
            k.endsWith('Kb') ? [k.replace(/Kb$/, 'MiB'), mib(v)] : [k, v],
          ),
        ),
      c1zBytes: statSync(file).size,
      resources: stats.resources,
      entitlements: stats.entitlements,
      grants: stats.grants,
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (!fakeStats) await ask<FakeStats>(server, { cmd: 'stop' });
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const datasetOptions = {
  seed: 1,
  users,
  groups,
  teams,
  connections,
  systemKeys,
  ...(accountWideUsers !== undefined ? { accountWideUsers } : {}),
};
const dataset = generateDataset(datasetOptions);
const cores = availableParallelism();
console.log(
  `dataset: ${dataset.users.length} users, ${dataset.groups.length} groups, ${dataset.teams.length} teams, ` +
    `${dataset.groupMemberships.length} group and ${dataset.teamMemberships.length} team memberships, ` +
    `${dataset.users.filter((u) => u.role !== null && ACCOUNT_LEVEL_ROLES.has(u.role)).length} users with an ` +
    `account-wide role (listed on every group${accountWideUsers === undefined ? ', uncapped' : ''})`,
);
console.log(
  `machine: ${cores} cores (${cpus()[0]?.model.trim() ?? '?'}), Node ${process.versions.node}, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; CLI NODE_OPTIONS='${nodeOptions}' ${Object.entries(mallocEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
);
const server = fork(fileURLToPath(new URL('./sync-fake-server.js', import.meta.url)), [
  JSON.stringify(datasetOptions),
]);
await new Promise((resolve) => server.once('message', resolve));
// Unmeasured: fills the fake's memo of serialised pages.
await run(server, { name: 'warm-up', concurrency, latencyMs: 0 });
const results: RunResult[] = [];
for (const spec of specs) {
  const r = await run(server, spec);
  results.push(r);
  const floor =
    r.latencyMs > 0
      ? `latency floor ${s(r.floorMs)} (${r.minimumRequests} × ${r.latencyMs} ms ÷ ${r.concurrency}), ` +
        `ratio ${r.ratio!.toFixed(2)}×`
      : 'no latency';
  console.log(`\n${r.name}${r.latencyMs > 0 ? `, ${r.latencyMs} ms per request` : ''}:`);
  console.log(`  wall time         ${s(r.wallMs)} (sync ${r.syncMs ? s(r.syncMs) : '?'}); ${floor}`);
  console.log(
    `  requests          ${r.requests} (minimum ${r.minimumRequests}; statuses ${Object.entries(r.statuses)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ')}; at most ${r.maxInFlight} in flight; the fake answered in ` +
      `${r.fakeMeanResponseMs.toFixed(2)} ms on average)`,
  );
  console.log(
    `  CPU time          ${s(r.cpuMs)} (user ${s(r.cpuUserMs)}, system ${s(r.cpuSystemMs)}; ` +
      `the fake Fivetran used ${s(r.fakeCpuMs)} in its own process)`,
  );
  console.log(
    `  c1z writer        ${r.c1zRows ?? '?'} rows in ${r.c1zWriteMs ?? '?'} ms: ${r.c1zRowsPerSecond ?? '?'} rows/s ` +
      `(CPU ${r.c1zWriteCpuMs ?? '?'} ms: ${r.c1zRowsPerCpuSecond ?? '?'} rows per CPU second)`,
  );
  console.log(
    `  peak RSS          ${r.peakRssMiB} MiB (sampled peaks: V8 heap used ${r.peakHeapUsedMiB} MiB, external ` +
      `${r.peakExternalMiB} MiB, array buffers ${r.peakArrayBuffersMiB} MiB)`,
  );
  if (r.atPeakRss) console.log(`  at the RSS peak   ${JSON.stringify(r.atPeakRss)}`);
  console.log(
    `  c1z               ${(r.c1zBytes / 1024 / 1024).toFixed(2)} MiB: ${r.resources} resources, ` +
      `${r.entitlements} entitlements, ${r.grants} grants`,
  );
  console.log(`  load average      ${r.loadAverage.join(' ')} (after the run)`);
}
const byConcurrency = (c: number) => results.find((r) => r.latencyMs > 0 && r.concurrency === c);
const fast = byConcurrency(concurrency);
const slow = byConcurrency(1);
const speedUp = fast && slow && concurrency !== 1 ? slow.wallMs / fast.wallMs : undefined;
server.send({ cmd: 'exit' });
if (speedUp) console.log(`\nspeed-up of concurrency ${concurrency} over 1: ${speedUp.toFixed(2)}×`);
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(
  jsonPath,
  `${JSON.stringify(
    {
      dataset: { users, groups, teams, seed: 1 },
      machine: { cores, node: process.versions.node, nodeOptions },
      results,
      speedUp,
    },
    null,
    2,
  )}\n`,
);
console.log(`figures written to ${jsonPath}`);
