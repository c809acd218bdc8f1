#!/usr/bin/env node
// Builds a standalone executable of the daemon for the platform this runs on: Node's single-executable
// application (SEA). src/main.ts is bundled into one CommonJS file (SEA main scripts cannot be ES modules),
// protos/**.proto and package.json are embedded as assets (read through node:sea getAsset), and the blob is
// injected into a copy of the running `node` binary with postject.
//
// Usage: node scripts/build-binary.mjs   (Node 24; output dist-bin/baton-fivetran-<os>-<arch>[.exe])
// The release workflow runs it on one runner per os/arch, since a SEA embeds the node binary it was built with.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { inject } from 'postject';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist-bin');
const osName = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform];
if (!osName) throw new Error(`build-binary: unsupported platform ${process.platform}`);
if (Number(process.versions.node.split('.')[0]) < 24) {
  throw new Error(`build-binary: needs Node 24 (this is ${process.version}); try bash scripts/node24.sh`);
}
// The fuse postject flips; a node built without single-executable support (some distribution builds) lacks it.
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
if (!readFileSync(process.execPath).includes(FUSE)) {
  throw new Error(`build-binary: ${process.execPath} has no single-executable support (no ${FUSE} in it)`);
}
const exe = join(out, `baton-fivetran-${osName}-${process.arch}${osName === 'windows' ? '.exe' : ''}`);
const bundle = join(out, 'baton-fivetran.cjs');
const blob = join(out, 'sea-prep.blob');
const seaConfig = join(out, 'sea-config.json');

const started = Date.now();
mkdirSync(out, { recursive: true });

// 1. One CommonJS file. import.meta.url (used only when reading files from disk, never inside the binary)
//    becomes the bundle's own URL, so `node dist-bin/baton-fivetran.cjs` still finds protos/ for debugging.
await build({
  entryPoints: [join(root, 'src/main.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  define: { 'import.meta.url': '__batonBundleUrl' },
  banner: { js: "const __batonBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});

// 2. Assets: every .proto under its protos/ path, and package.json for --version.
const assets = { 'package.json': join(root, 'package.json') };
const protosDir = join(root, 'protos');
for (const e of readdirSync(protosDir, { withFileTypes: true, recursive: true })) {
  if (!e.isFile() || !e.name.endsWith('.proto')) continue;
  const path = join(e.parentPath, e.name);
  assets[`protos/${relative(protosDir, path).split(sep).join('/')}`] = path;
}
writeFileSync(
  seaConfig,
  JSON.stringify(
    {
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      // V8's code cache for the bundle: start-up without compiling it (measured in README "Standalone binaries").
      useCodeCache: true,
      // As the image's NODE_OPTIONS: a 16 MiB young generation keeps long syncs near their live set.
      execArgv: ['--max-semi-space-size=16'],
      assets,
    },
    null,
    2,
  ),
);
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });

// 3. A copy of this node with the blob injected (macOS: unsign before, ad-hoc sign after).
rmSync(exe, { force: true });
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
if (osName === 'darwin') execFileSync('codesign', ['--remove-signature', exe]);
await inject(exe, 'NODE_SEA_BLOB', readFileSync(blob), {
  sentinelFuse: FUSE,
  ...(osName === 'darwin' ? { machoSegmentName: 'NODE_SEA' } : {}),
});
if (osName === 'darwin') execFileSync('codesign', ['--sign', '-', exe]);
rmSync(blob);

const mib = (p) => (statSync(p).size / 1024 / 1024).toFixed(1);
console.log(
  `build-binary: ${relative(root, exe)} ${mib(exe)} MiB (bundle ${mib(bundle)} MiB, ${Object.keys(assets).length} assets) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
