// The repository checkout the tests run in, for tests that read its files (docs, charts, manifests).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const readRepoFile = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');
