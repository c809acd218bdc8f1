#!/usr/bin/env node
// Start-up time and size of the standalone binary against `node dist/main.js`: median wall time of N runs
// (default 15) of `--version` and `capabilities`. Prints figures, asserts nothing.
// Usage: npm run build && npm run build:binary && node bench/binary-startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const os = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform];
const binary = join(
  root,
  'dist-bin',
  `baton-fivetran-${os}-${process.arch}${os === 'windows' ? '.exe' : ''}`,
);
const mainJs = join(root, 'dist', 'main.js');
const runs = Number(process.argv[2] ?? 15);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (cmd, args) => {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(ms);
};

console.log(`binary ${binary}: ${(statSync(binary).size / 1024 / 1024).toFixed(1)} MiB`);
for (const args of [['--version'], ['capabilities']]) {
  const bin = time(binary, args);
  const node = time(process.execPath, [mainJs, ...args]);
  console.log(
    `${args.join(' ').padEnd(14)} binary ${bin.toFixed(0).padStart(5)} ms   node dist/main.js ${node.toFixed(0).padStart(5)} ms   (median of ${runs})`,
  );
}
