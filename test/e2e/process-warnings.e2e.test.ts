// Node prints process warnings as plain text on stderr; the daemon routes them through its JSON logger.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { assertBuilt, REPO_ROOT } from './harness.js';

assertBuilt();

const ops = pathToFileURL(join(REPO_ROOT, 'dist', 'ops', 'index.js')).href;

/** A real Node process that sets the logger up as main.ts does (or not) and then emits two warnings. */
function run(route: boolean) {
  const script = `
    import { createLogger, routeProcessWarnings } from ${JSON.stringify(ops)};
    const log = createLogger({ level: 'info', format: 'json' });
    if (${route}) routeProcessWarnings(process, log);
    process.emitWarning('the old way is going away', { type: 'DeprecationWarning', code: 'DEP9999' });
    process.emitWarning('something odd');
    setTimeout(() => log.info('done'), 10);
  `;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 15_000,
    env: { PATH: process.env.PATH ?? '' },
  });
  return {
    status: res.status,
    lines: `${res.stdout}${res.stderr}`.split('\n').filter((l) => l.trim() !== ''),
  };
}

describe('process warnings', () => {
  it('come out as one JSON warn line each, with name, code and message', () => {
    const { status, lines } = run(true);
    expect(status).toBe(0);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.filter((l) => l.msg === 'process warning')).toEqual([
      expect.objectContaining({
        level: 'warn',
        warning: { name: 'DeprecationWarning', code: 'DEP9999', message: 'the old way is going away' },
      }),
      expect.objectContaining({ level: 'warn', warning: { name: 'Warning', message: 'something odd' } }),
    ]);
    expect(parsed.at(-1)).toMatchObject({ msg: 'done' });
  });

  it("are Node's plain text lines without the routing (the check above can fail)", () => {
    const { lines } = run(false);
    expect(lines.some((l) => l.includes('[DEP9999] DeprecationWarning'))).toBe(true);
  });
});
