// The CLI's last guard: Node exits 0 when its event loop empties, even with the command's promise still
// pending (a callback nothing will call, as when a destroyed compressor dropped a write). failUnsettledExit
// turns that exit into a failure. Each case runs the built module in a child process.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { assertBuilt, CliHarness, REPO_ROOT } from './harness.js';

assertBuilt();

const MODULE = pathToFileURL(join(REPO_ROOT, 'dist', 'cli', 'unsettled-exit.js')).href;

/** Runs `body` after `guard` is set up on a command promise made by `command`; returns the exit and stderr. */
const run = (command: string, body = '') => {
  const script = `
    import { failUnsettledExit } from ${JSON.stringify(MODULE)};
    const command = ${command};
    const guard = failUnsettledExit(process, command, (t) => process.stderr.write(t));
    ${body}
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
};

describe('failUnsettledExit', () => {
  it('fails an exit while the command is still pending, saying why', () => {
    expect(run('new Promise(() => {})')).toEqual({
      code: 1,
      stderr: 'baton-fivetran: internal error: the process ran out of work before the command finished\n',
    });
  });

  it('leaves the exit of a settled command alone, whatever its outcome', () => {
    expect(run('Promise.resolve(0)')).toEqual({ code: 0, stderr: '' });
    expect(run('Promise.reject(new Error("x"))', 'command.catch(() => {});')).toEqual({
      code: 0,
      stderr: '',
    });
    expect(run('Promise.resolve(3)', 'command.then((c) => (process.exitCode = c));')).toEqual({
      code: 3,
      stderr: '',
    });
  });

  it('keeps the code of a deliberate or failing exit', () => {
    expect(run('new Promise(() => {})', 'guard.exitingOnPurpose(); process.exit(0);')).toEqual({
      code: 0,
      stderr: '',
    });
    expect(run('new Promise(() => {})', 'process.exit(130);')).toEqual({ code: 130, stderr: '' });
  });
});

describe('the CLI with its output closed by the reader', () => {
  const harness = new CliHarness();
  afterAll(() => harness.cleanup());

  it('exits 0 and says nothing: a reader that stops early is no failure', async () => {
    for (const args of [['--help'], ['--version']]) {
      const cli = await harness.run(args, { closedStdout: true });
      expect({ code: cli.exit?.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: '' });
    }
  });
});
