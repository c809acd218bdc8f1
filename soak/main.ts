// `npm run soak`: 2,000 mixed tasks against the fakes with faults sprinkled in, run by the real daemon
// (dist/main.js) as a child process. Checks that no task is lost or finished twice, that the daemon's RSS after
// the last task is within 20% of its RSS after the first hundred, and that its open file descriptors stay
// flat. Prints the figures; exits 1 when a check fails. Not part of `npm test` (it takes minutes).
// The daemon gets the image's NODE_OPTIONS and MALLOC_* settings (from the Dockerfile) and the heap size Node
// derives from the chart's memory limit in a pod. SOAK_TASKS changes the count (default 2000); SOAK_NODE_OPTIONS
// and MALLOC_* variables override those settings; SOAK_NODE_ARGS adds node flags before the script.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { toStruct } from '../src/connector/index.js';
import { imageEnv, podOldSpaceMiB } from './image-env.js';
import { startFakeControlPlane, type TaskSpec } from '../test/fakes/control-plane/index.js';
import { generateDataset, startFakeFivetran } from '../test/fakes/fivetran/index.js';

const TASKS = Number(process.env.SOAK_TASKS ?? 2_000);
const CHECKPOINT = 100;
const MAX_RSS_GROWTH = 0.2;
/** Descriptors that may come and go between two idle moments (a pooled HTTP or gRPC connection). */
const FD_SLACK = 4;
const UNAVAILABLE = 14;

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const say = (text: string) => process.stdout.write(`${text}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmRSS in bytes and the count of open descriptors of a live process. */
function processFigures(pid: number): { rssBytes: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
  return { rssBytes: kb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

const httpGet = (port: number, path: string) =>
  new Promise<string>((ok, fail) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    })
      .on('error', fail)
      .end();
  });

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function main(): Promise<number> {
  const fivetran = await startFakeFivetran({
    dataset: generateDataset({ seed: 11, users: 25, groups: 3, teams: 3 }),
  });
  const c1 = await startFakeControlPlane({ nextPollMs: 20, nextHeartbeatMs: 1000 });
  const work = mkdtempSync(join(tmpdir(), 'baton-soak-'));
  const logFile = join(work, 'daemon.log');
  // V8 flags that NODE_OPTIONS refuses (e.g. --min-semi-space-size), for experiments.
  const nodeArgs = (process.env.SOAK_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const image = imageEnv(readFileSync(join(repo, 'Dockerfile'), 'utf8'));
  const values = yaml.load(readFileSync(join(repo, 'helm/baton-fivetran/values.yaml'), 'utf8')) as {
    resources: { limits: { memory: string } };
  };
  const podHeap = `--max-old-space-size=${podOldSpaceMiB(values.resources.limits.memory)}`;
  image.NODE_OPTIONS = [image.NODE_OPTIONS, podHeap].filter(Boolean).join(' ');
  const daemon = spawn(process.execPath, [...nodeArgs, join(repo, 'dist', 'main.js')], {
    cwd: work,
    env: {
      PATH: process.env.PATH ?? '',
      // As the image sets them; SOAK_NODE_OPTIONS overrides NODE_OPTIONS (e.g. a small --max-old-space-size to
      // tell a leak from a heap that grows until it settles).
      ...image,
      ...(process.env.SOAK_NODE_OPTIONS !== undefined ? { NODE_OPTIONS: process.env.SOAK_NODE_OPTIONS } : {}),
      NODE_EXTRA_CA_CERTS: c1.caPath,
      BATON_CLIENT_ID: c1.clientId,
      BATON_CLIENT_SECRET: c1.clientSecret,
      BATON_C1_API_HOST: c1.host,
      BATON_HOST_ID: 'soak-daemon',
      BATON_FIVETRAN_API_KEY: fivetran.keys.admin.key,
      BATON_FIVETRAN_API_SECRET: fivetran.keys.admin.secret,
      BATON_FIVETRAN_BASE_URL: fivetran.baseUrl,
      BATON_PROVISIONING: 'true',
      BATON_OPS_LISTEN_ADDRESS: '127.0.0.1:0',
      BATON_LOG_FORMAT: 'json',
      BATON_C1Z_TEMP_DIR: work,
      BATON_TASK_CONCURRENCY: '3',
      // glibc malloc tuning passed through (over the image's), to tell allocator fragmentation from a leak.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MALLOC_'))),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log = createWriteStream(logFile);
  daemon.stderr.pipe(log);
  const exited = new Promise<number | null>((r) => daemon.on('exit', (code) => r(code)));
  const pid = daemon.pid!;
  say(`soak: ${TASKS} tasks; daemon pid ${pid}; logs ${logFile}`);
  say(`daemon settings as in the pod: ${JSON.stringify(image)}`);

  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    say(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };

  try {
    await c1.waitFor(() => c1.hellos()[0], 20_000);
    const port = Number(/"port":(\d+),"msg":"ops server listening"/.exec(readFileSync(logFile, 'utf8'))?.[1]);
    /** Heap and native figures from the daemon's own /metrics, to tell a leak from a heap that settles. */
    const memory = async () => {
      const text = await httpGet(port, '/metrics');
      const v = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
      return `heap used ${mib(v('nodejs_heap_size_used_bytes'))} of ${mib(v('nodejs_heap_size_total_bytes'))}, external ${mib(v('nodejs_external_memory_bytes'))}`;
    };
    const { state, dataset } = fivetran;
    const reserved = new Set([dataset.adminUserId, dataset.reviewerUserId, dataset.serviceAccountUserId]);
    const users = [...state.users.values()].filter((u) => u.active && !reserved.has(u.id)).map((u) => u.id);
    const teams = [...state.teams.keys()];
    const teamMember = (t: string) => ({
      resource: { id: { resourceType: 'team', resource: t }, displayName: t },
      id: `team:${t}:member`,
      slug: 'member',
      displayName: `${t} member`,
      purpose: 'PURPOSE_VALUE_ASSIGNMENT',
      grantableTo: [],
    });
    const principal = (u: string) => ({ id: { resourceType: 'user', resource: u }, displayName: u });
    let created = 0;
    const createdEmails: string[] = [];

    /** The n-th task of the mix: syncs, grants, revokes, create/delete, unsupported. */
    const taskFor = (n: number): TaskSpec => {
      const slot = n % 20;
      const u = users[n % users.length]!;
      const t = teams[n % teams.length]!;
      if (slot < 2) return { kind: 'syncFull', payload: {} };
      if (slot < 7)
        return { kind: 'grant', payload: { entitlement: teamMember(t), principal: principal(u) } };
      if (slot < 12) {
        const grant = {
          id: `team:${t}:member:user:${u}`,
          entitlement: teamMember(t),
          principal: principal(u),
        };
        return { kind: 'revoke', payload: { grant } };
      }
      if (slot < 15) {
        const email = `soak-${++created}@example.com`;
        createdEmails.push(email);
        const profile = toStruct({ email, given_name: 'Soak', family_name: `N${created}` });
        return {
          kind: 'createAccount',
          payload: {
            resourceTypeId: 'user',
            accountInfo: { emails: [{ address: email, isPrimary: true }], login: email, profile },
          },
        };
      }
      if (slot < 18) {
        const email = createdEmails.shift();
        const victim = email && [...state.users.values()].find((x) => x.email === email);
        const id = victim ? victim.id : `nosuchuser${n}`;
        return { kind: 'deleteResource', payload: { resourceId: { resourceType: 'user', resource: id } } };
      }
      return { kind: 'eventFeed', payload: {} };
    };

    /** Faults every few tasks: Fivetran 429/500, control plane UNAVAILABLE on GetTask/UploadAsset/FinishTask. */
    const faults = { fivetran: 0, getTask: 0, upload: 0, finish: 0 };
    const sprinkle = (n: number) => {
      if (n % 37 === 0) {
        fivetran.injectFaults(n % 74 === 0 ? { kind: '429', retryAfterSeconds: 1 } : { kind: '500' });
        faults.fivetran++;
      }
      if (n % 101 === 0) {
        c1.failNext('GetTask', UNAVAILABLE);
        faults.getTask++;
      }
      if (n % 43 === 0) {
        c1.failNext('UploadAsset', UNAVAILABLE);
        faults.upload++;
      }
      if (n % 29 === 0) {
        c1.failNext('FinishTask', UNAVAILABLE);
        faults.finish++;
      }
    };

    const ids: string[] = [];
    const kinds = new Map<string, string>();
    const redelivered = new Set<string>();
    const finishedCount = () => ids.filter((id) => c1.finishes(id).length > 0).length;
    const idle = () => c1.waitFor(() => finishedCount() === ids.length && c1.pendingTaskCount === 0, 600_000);

    /** Delivers a few ids a second time: some still running (syncs mid-heartbeat), some finished. */
    const duplicate = (n: number) => {
      if (n % 40 !== 0) return;
      const running = ids.find(
        (id) => kinds.get(id) === 'syncFull' && c1.heartbeats(id).length > 0 && !c1.finishes(id).length,
      );
      const done = ids.findLast((id) => c1.finishes(id).length > 0 && !redelivered.has(id));
      for (const id of [running, done]) {
        if (!id || redelivered.has(id)) continue;
        c1.redeliver(id);
        redelivered.add(id);
      }
    };

    let atCheckpoint: { rssBytes: number; fds: number } | undefined;
    const started = Date.now();
    for (let n = 1; n <= TASKS; n++) {
      while (c1.pendingTaskCount >= 8) await sleep(5);
      sprinkle(n);
      const spec = taskFor(n);
      const id = c1.enqueueTask(spec);
      ids.push(id);
      kinds.set(id, spec.kind);
      duplicate(n);
      if (n === CHECKPOINT) {
        await idle();
        await sleep(500);
        atCheckpoint = processFigures(pid);
        say(
          `after ${CHECKPOINT} tasks: RSS ${mib(atCheckpoint.rssBytes)}, open fds ${atCheckpoint.fds}; ${await memory()}`,
        );
      }
      if (n % 250 === 0) {
        const f = processFigures(pid);
        say(
          `  ${n} tasks enqueued, ${finishedCount()} finished, ${Math.round((Date.now() - started) / 1000)} s; ` +
            `RSS ${mib(f.rssBytes)}, fds ${f.fds}; ${await memory()}`,
        );
      }
    }
    await idle();
    await sleep(500);
    const atEnd = processFigures(pid);
    const elapsedS = (Date.now() - started) / 1000;
    say(
      `after ${TASKS} tasks: RSS ${mib(atEnd.rssBytes)}, open fds ${atEnd.fds} (${elapsedS.toFixed(0)} s); ${await memory()}`,
    );

    const metrics = Number.isFinite(port) ? await httpGet(port, '/metrics') : '';
    const duplicates = Number(/^baton_tasks_duplicate_total (\d+)$/m.exec(metrics)?.[1] ?? NaN);

    const outcomes = new Map<string, number>();
    for (const id of ids) {
      const f = c1.finishes(id)[0];
      const key = `${kinds.get(id)} ${f ? (f.success ? 'success' : `error ${f.status?.code}`) : 'none'}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    say('outcomes:');
    for (const [k, v] of [...outcomes].sort()) say(`  ${k.padEnd(28)} ${v}`);
    say(
      `faults injected: Fivetran ${faults.fivetran}, GetTask ${faults.getTask}, UploadAsset ${faults.upload}, FinishTask ${faults.finish}; ` +
        `duplicate deliveries ${redelivered.size} (daemon counted ${duplicates})`,
    );
    say(`throughput: ${(TASKS / elapsedS).toFixed(1)} tasks/s`);

    say('checks:');
    const lost = ids.filter((id) => c1.finishes(id).length === 0);
    const twice = ids.filter((id) => c1.finishes(id).length > 1);
    check(lost.length === 0, `no task lost (${lost.length} without FinishTask)`);
    check(twice.length === 0, `no task finished twice (${twice.length})`);
    check(
      c1.violations.length === 0,
      `no protocol violation (${c1.violations.slice(0, 3).join('; ') || 'none'})`,
    );
    check(
      duplicates === redelivered.size,
      `every duplicate delivery dropped and counted (${duplicates}/${redelivered.size})`,
    );
    const syncs = ids.filter((id) => kinds.get(id) === 'syncFull');
    const uploadsPerSync = syncs.map((id) => c1.uploads(id).filter((u) => u.sha256Ok).length);
    check(
      uploadsPerSync.every((x) => x === 1),
      `every sync uploaded exactly once (${syncs.length} syncs)`,
    );
    const growth = atEnd.rssBytes / atCheckpoint!.rssBytes - 1;
    check(
      growth <= MAX_RSS_GROWTH,
      `RSS after the last task within 20% of RSS after the first ${CHECKPOINT} (${(growth * 100).toFixed(1)}%)`,
    );
    check(
      atEnd.fds <= atCheckpoint!.fds + FD_SLACK,
      `open fds flat (${atCheckpoint!.fds} → ${atEnd.fds}, slack ${FD_SLACK})`,
    );
    const leftovers = readdirSync(work).filter((f) => f !== 'daemon.log');
    check(leftovers.length === 0, `no temp file left (${leftovers.join(', ') || 'none'})`);
  } catch (err) {
    failures.push(String(err));
    say(`soak: ${String(err)}`);
  } finally {
    daemon.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') daemon.kill('SIGKILL');
    log.end();
    await c1.close();
    await fivetran.close();
    if (failures.length === 0) rmSync(work, { recursive: true, force: true });
  }
  say(failures.length === 0 ? 'soak: PASS' : `soak: FAIL (${failures.length}); logs kept in ${logFile}`);
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();
