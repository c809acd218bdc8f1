// Compression memory guard (issue 10): writing the c1z must hold a few MiB whatever the database's size (at
// 50,000 users the sync's RSS peak is this compression). The compressor is a child process running the built
// writeC1zFile with the image's NODE_OPTIONS and MALLOC_* settings; it samples the bytes held by its
// ArrayBuffers every millisecond while it compresses 64 MiB that zstd halves. Without a scavenge every few
// chunks zstd's 16 KiB output buffers pile up until V8's external-memory limit forces a GC. No timing is
// asserted.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertBuilt, REPO_ROOT, runImageNode } from './harness.js';

assertBuilt();

const MIB = 1024 * 1024;
const C1Z_FILE_JS = pathToFileURL(join(REPO_ROOT, 'dist', 'c1z', 'c1z-file.js')).href;

// Compresses argv's small file (warm-up), then the big one while sampling; prints the figures as JSON.
const COMPRESSOR = `
  import { writeC1zFile } from ${JSON.stringify(C1Z_FILE_JS)};
  const o = JSON.parse(process.argv[1]);
  await writeC1zFile(o.small, o.small + '.c1z', {});
  const before = process.memoryUsage().arrayBuffers;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 1);
  await writeC1zFile(o.big, o.big + '.c1z', {});
  clearInterval(timer);
  process.stdout.write(JSON.stringify({ riseMiB: (peak - before) / ${MIB} }) + '\\n');
`;

/** Half random, half zeros, in 64 KiB blocks: zstd writes about half of it out. */
function halfCompressible(bytes: number): Buffer {
  const block = 64 * 1024;
  const out = Buffer.alloc(bytes);
  for (let at = 0; at < bytes; at += 2 * block) randomBytes(block).copy(out, at);
  return out;
}

describe('c1z compression memory', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'compress-memory-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds a few MiB of buffers while compressing 64 MiB, not the output', async () => {
    const small = join(dir, 'small.db');
    const big = join(dir, 'big.db');
    writeFileSync(small, halfCompressible(2 * MIB));
    writeFileSync(big, halfCompressible(64 * MIB));
    const { code, stdout, stderr } = await runImageNode(COMPRESSOR, JSON.stringify({ small, big }));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const { riseMiB } = JSON.parse(stdout) as { riseMiB: number };
    // Measured 1.1–3.1 MiB; 11.3–11.6 MiB without the scavenges (zstd writes out about 32 MiB).
    expect(riseMiB).toBeLessThan(8);
  }, 60_000);
});
