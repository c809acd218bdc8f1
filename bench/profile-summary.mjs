// Summarises V8 .cpuprofile files (from `node --cpu-prof`): self time by function and by area, and total
// (inclusive) time of selected frames, file by file. The bench's warm-up run writes a profile too, so a glob
// gives two: the later file is the measured run.
// Usage: node bench/profile-summary.mjs FILE.cpuprofile... [top=25]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const files = args.filter((a) => a.endsWith('.cpuprofile'));
const topArg = args.find((a) => /^\d+$/.test(a));
if (files.length === 0) throw new Error('usage: node bench/profile-summary.mjs FILE.cpuprofile... [top]');
const top = Number(topArg ?? 25);
for (const file of files) summarise(file);

function summarise(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Sample i lasts timeDeltas[i + 1] microseconds.
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i + 1] ?? 0));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const short = (url) => url.replace(/^file:\/\/.*?\/(node_modules|dist|src|\.bench-build)\//, '$1/');
  const label = (n) => {
    const f = n.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url ? `${short(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
  };
  const area = (n) => {
    const url = n.callFrame.url;
    const fn = n.callFrame.functionName;
    if (!url) return fn.startsWith('(') ? fn : `native ${fn}`;
    if (url.includes('/dist/c1z/')) return 'dist/c1z';
    if (url.includes('/dist/')) return url.replace(/.*\/dist\/([^/]+)\/.*/, 'dist/$1');
    if (url.includes('node_modules/')) return url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, 'npm $1');
    if (url.startsWith('node:')) return url.replace(/^(node:[^/]+(\/[^/]+)?).*/, '$1');
    return url;
  };

  const byFn = new Map();
  const byArea = new Map();
  for (const [id, us] of selfUs) {
    const n = nodes.get(id);
    byFn.set(label(n), (byFn.get(label(n)) ?? 0) + us);
    byArea.set(area(n), (byArea.get(area(n)) ?? 0) + us);
  }

  // Inclusive time: each sample counts once for every distinct frame label on its stack.
  const inclusive = new Map();
  for (const [id, us] of selfUs) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const l = label(nodes.get(at));
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + us);
    }
  }

  const ms = (us) =>
    `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
  const print = (title, m, n) => {
    console.log(`\n${title}`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${ms(v)}  ${k}`);
  };
  console.log(`${file}: ${(totalUs / 1000).toFixed(0)} ms sampled`);
  print('self time by area', byArea, top);
  print('self time by function', byFn, top);
  print('inclusive time by function', inclusive, top * 2);
}
