import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseArgv } from '../../../src/config/index.js';

const load = (env: Record<string, string>) =>
  loadConfig({
    flags: parseArgv([]).flags,
    env: { BATON_FIVETRAN_API_KEY: 'key', BATON_FIVETRAN_API_SECRET: 'sec', ...env },
    isTTY: false,
    requireCredentials: true,
    cwd: mkdtempSync(join(tmpdir(), 'cfg-')),
  });

describe('BATON_GET_TASKS', () => {
  it('is off by default', () => {
    expect(load({}).controlPlane.getTasks).toBe(false);
  });

  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('turns batched polling on for %s', (v) => {
    expect(load({ BATON_GET_TASKS: v }).controlPlane.getTasks).toBe(true);
  });

  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False', ''])('leaves it off for "%s"', (v) => {
    expect(load({ BATON_GET_TASKS: v }).controlPlane.getTasks).toBe(false);
  });

  it.each(['yes', 'tRUE', 'on', '2', ' true'])(
    'rejects "%s" (not Go ParseBool syntax), naming the variable',
    (v) => {
      expect(() => load({ BATON_GET_TASKS: v })).toThrow(ConfigError);
      expect(() => load({ BATON_GET_TASKS: v })).toThrow('$BATON_GET_TASKS');
    },
  );

  it('is not a command-line flag', () => {
    expect(() => parseArgv(['--get-tasks'])).toThrow();
  });
});
