#!/usr/bin/env node
// Start-up time and size of the standalone binary against `node dist/main.js`: median wall time and median CPU
// time (user + sys of the child, from bash's `times`; steadier than wall time on a busy machine) of N runs
// (default 15) of `--version` and `capabilities`. Prints figures, asserts nothing. Linux or macOS.
// Usage: npm run build && npm run build:binary && node bench/binary-startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const os = { linux: 'linux', darwin: 'darwin' }[process.platform];
if (!os) throw new Error('bench/binary-startup.mjs: Linux or macOS only (it uses bash)');
const binary = join(root, 'dist-bin', `baton-fivetran-${os}-${process.arch}`);
const mainJs = join(root, 'dist', 'main.js');
const runs = Number(process.argv[2] ?? 15);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (t) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};
/** [median wall ms, median CPU ms] of `argv`. */
const measure = (argv) => {
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync('bash', ['-c', '"$@" > /dev/null || exit 1; times', 'bench', ...argv], {
      encoding: 'utf8',
    });
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
    const [user, sys] = r.stdout.trim().split('\n')[1].split(/\s+/).map(seconds); // second line: children
    cpu.push((user + sys) * 1000);
  }
  return [median(wall), median(cpu)];
};
const fmt = ([wall, cpu]) => `${wall.toFixed(0).padStart(5)} ms wall ${cpu.toFixed(0).padStart(5)} ms CPU`;

console.log(
  `binary ${binary}: ${(statSync(binary).size / 1024 / 1024).toFixed(1)} MiB; median of ${runs} runs`,
);
for (const args of [['--version'], ['capabilities']]) {
  const bin = measure([binary, ...args]);
  const node = measure([process.execPath, mainJs, ...args]);
  console.log(`${args.join(' ').padEnd(14)} binary ${fmt(bin)}   node dist/main.js ${fmt(node)}`);
}
