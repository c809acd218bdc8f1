// Memory growth guard (issue 10): the one-shot CLI's peak RSS must stay nearly flat when the account grows
// five-fold. It fails when a sync keeps whole-account state (a map of users or grants, pages held until the
// end): at 20,000 users that is tens of MiB more. Peak RSS is robust to machine load; no timing is asserted.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageEnv } from '../../soak/image-env.js';
import { generateDataset, startFakeFivetran } from '../fakes/fivetran/index.js';
import { assertBuilt, MAIN_JS, REPO_ROOT } from './harness.js';

assertBuilt();

// Reports the child's peak RSS (KiB) on stderr as it exits.
const PROBE = `data:text/javascript,process.on('exit',()=>process.stderr.write('peakRssKb='+process.resourceUsage().maxRSS+'\\n'))`;
// The container image's NODE_OPTIONS and MALLOC_* settings (Dockerfile), so the CLI runs as in production.
const IMAGE_ENV = imageEnv(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));

/** Syncs an account of `users` users (10 groups, users/50 teams) with the CLI; resolves with its peak RSS. */
async function peakRssMiB(users: number): Promise<{ peakMiB: number; grants: number }> {
  const dataset = generateDataset({ seed: 3, users, groups: 10, teams: users / 50 });
  const fake = await startFakeFivetran({ dataset, hourlyQuota: 10_000_000 });
  const dir = mkdtempSync(join(tmpdir(), 'sync-memory-'));
  try {
    const env = {
      PATH: process.env.PATH ?? '',
      BATON_FIVETRAN_API_KEY: fake.keys.admin.key,
      BATON_FIVETRAN_API_SECRET: fake.keys.admin.secret,
      BATON_FIVETRAN_BASE_URL: fake.baseUrl,
      BATON_LOG_LEVEL: 'info',
      BATON_LOG_FORMAT: 'json',
      ...IMAGE_ENV,
    };
    const args = ['--import', PROBE, MAIN_JS, '-f', join(dir, 'sync.c1z')];
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode, stderr: err }));
    });
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const kb = Number(/peakRssKb=(\d+)/.exec(stderr)?.[1]);
    const finished = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; grants?: number })
      .findLast((l) => l.msg === 'sync finished');
    return { peakMiB: kb / 1024, grants: finished?.grants ?? 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await fake.close();
  }
}

describe('one-shot sync memory', () => {
  it('peaks at nearly the same RSS for 4,000 and 20,000 users', async () => {
    const small = await peakRssMiB(4_000);
    const large = await peakRssMiB(20_000);
    // The accounts really differ five-fold.
    expect(large.grants).toBeGreaterThan(4 * small.grants);
    // Measured 162 → 178 MiB (×1.09); keeping every grant of the sync in memory measured ×1.71.
    expect(large.peakMiB / small.peakMiB).toBeLessThan(1.35);
  }, 240_000);
});
