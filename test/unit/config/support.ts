import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseArgv } from '../../../src/config/index.js';

/** The configuration of a command line and environment, with Fivetran credentials set and an empty cwd. */
export const load = (argv: string[], env: Record<string, string> = {}) =>
  loadConfig({
    flags: parseArgv(argv).flags,
    env: { BATON_FIVETRAN_API_KEY: 'key', BATON_FIVETRAN_API_SECRET: 'sec', ...env },
    isTTY: false,
    requireCredentials: true,
    cwd: mkdtempSync(join(tmpdir(), 'cfg-')),
  });
