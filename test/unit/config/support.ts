import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from '@jest/globals';
import { loadConfig, parseArgv } from '../../../src/config/index.js';

// One empty working directory per test file (no .baton.yaml can be found there), removed after its tests.
let cwd: string | undefined;
afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
  cwd = undefined;
});

/** An empty directory as working directory: no `.baton.yaml` is found there. */
export const emptyCwd = (): string => (cwd ??= mkdtempSync(join(tmpdir(), 'cfg-')));

/** The configuration of a command line and environment, with Fivetran credentials set and an empty cwd. */
export const load = (argv: string[], env: Record<string, string> = {}) =>
  loadConfig({
    flags: parseArgv(argv).flags,
    env: { BATON_FIVETRAN_API_KEY: 'key', BATON_FIVETRAN_API_SECRET: 'sec', ...env },
    isTTY: false,
    requireCredentials: true,
    cwd: emptyCwd(),
  });
