// Issue 11, defect 7 (config): a typo'd BATON_ variable is named in a warning instead of ignored silently, and
// a broken YAML config file fails in one line naming the file, line and column.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateDataset, startFakeFivetran, type FakeFivetran } from '../fakes/fivetran/index.js';
import { assertBuilt, CliHarness, fivetranEnv } from './harness.js';

assertBuilt();

const harness = new CliHarness();
let fake: FakeFivetran;
beforeAll(async () => {
  fake = await startFakeFivetran({ dataset: generateDataset({ seed: 41, users: 5, groups: 1, teams: 1 }) });
});
afterAll(async () => {
  await harness.cleanup();
  await fake?.close();
});

describe('unknown BATON_ environment variables', () => {
  it('warns once for each, with the closest known name and never the value, and still syncs', async () => {
    const cwd = await harness.tempDir('baton-e2e-cwd-');
    const configPath = join(cwd, 'baton.yaml');
    await writeFile(configPath, 'log-level: info\n');
    const proc = await harness.run(['-f', 'out.c1z'], {
      cwd,
      env: {
        ...fivetranEnv(fake),
        BATON_LOG_FORMAT: 'json',
        BATON_PROVISONING: 'true',
        BATON_FIVETRAN_API_SECRT: 'value-that-must-not-be-logged',
        // Known names that no flag has: read by the config loader, the control plane or scripts/.
        BATON_CONFIG_PATH: configPath,
        BATON_HOST_ID: 'e2e-host',
        BATON_GET_TASKS: 'false',
        BATON_NODE24_DIR: '/nonexistent',
        BATON_TOOLS_CACHE: '/nonexistent',
      },
    });
    expect(proc.exit).toEqual({ code: 0, signal: null });
    const warnings = proc.logs.filter((l) => l.msg?.includes('unknown BATON_ environment variable'));
    expect(warnings.map((l) => ({ level: l.level, envVar: l.envVar, closest: l.closest }))).toEqual([
      { level: 'warn', envVar: 'BATON_FIVETRAN_API_SECRT', closest: 'BATON_FIVETRAN_API_SECRET' },
      { level: 'warn', envVar: 'BATON_PROVISONING', closest: 'BATON_PROVISIONING' },
    ]);
    expect(proc.stderr).not.toContain('value-that-must-not-be-logged');
  });
});

describe('a config file that is not valid YAML', () => {
  it('exits 1 with one line naming the file, line and column', async () => {
    const cwd = await harness.tempDir('baton-e2e-cwd-');
    const configPath = join(cwd, 'baton.yaml');
    await writeFile(configPath, 'log-level: info\n  fivetran-api-key: x\n');
    const proc = await harness.run([], { cwd, env: { BATON_CONFIG_PATH: configPath } });
    expect(proc.exit).toEqual({ code: 1, signal: null });
    expect(proc.stderr).toBe(
      `baton-fivetran: invalid configuration: config file "${configPath}": line 2, column 19: ` +
        'bad indentation of a mapping entry\n',
    );
  });
});
