// Writes every generated monitoring file and the README's metrics reference: `npm run monitoring`.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { REFERENCE_END, REFERENCE_START, metricsReference } from './metrics-reference.js';
import { renderMonitoring } from './render.js';

/** The README with its metrics reference section replaced, formatted as `prettier --check` expects. */
export async function readmeWithReference(readme: string, readmePath: string): Promise<string> {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error('README.md: metrics reference markers not found');
  const next = `${readme.slice(0, start + REFERENCE_START.length)}\n\n${metricsReference()}\n\n${readme.slice(end)}`;
  return format(next, { ...(await resolveConfig(readmePath)), filepath: readmePath });
}

async function main(root: string): Promise<void> {
  for (const [path, content] of renderMonitoring()) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
    console.log(`wrote ${path}`);
  }
  const readmePath = join(root, 'README.md');
  writeFileSync(readmePath, await readmeWithReference(readFileSync(readmePath, 'utf8'), readmePath));
  console.log('wrote README.md (metrics reference)');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv[2] ?? process.cwd());
}
