import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateDataset,
  minimumSyncRequests,
  startFakeFivetran,
  type FakeFivetran,
} from '../../fakes/fivetran/index.js';
import { logSink, syncToC1z } from './support.js';

// Request count guard (issue 10): a full sync makes exactly one call per page of each listing it needs, with
// `limit=1000` (fivetran-api.md §2), never a call per user, and never more calls at once than its concurrency.
describe('Fivetran calls of a full sync', () => {
  let fake: FakeFivetran;
  let dir: string;
  const concurrency = 3;

  beforeAll(async () => {
    // 2,600 users: three pages of /v1/users, and ~700 account-level users listed on every group.
    fake = await startFakeFivetran({
      dataset: generateDataset({ seed: 5, users: 2600, groups: 12, teams: 9 }),
      latencyMs: 2,
    });
    dir = mkdtempSync(join(tmpdir(), 'ft-requests-'));
    await syncToC1z(fake, join(dir, 'sync.c1z'), {
      log: logSink().log,
      connector: { timeoutMs: 30_000, concurrency },
      concurrency,
      timeoutMs: 60_000,
    });
  }, 90_000);

  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes the fewest calls the account allows: one per page of each listing', () => {
    const byPath = new Map<string, number>();
    for (const r of fake.requests) byPath.set(r.path, (byPath.get(r.path) ?? 0) + 1);
    // 1 account + 1 roles + 2×3 users + 2×1 teams + 1 groups; per group ceil(rows/1000); 2 per team.
    expect(fake.requests.length).toBe(minimumSyncRequests(fake.state));
    expect(byPath.get('/v1/users')).toBe(6);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('asks for 1,000 rows per page and never calls a per-user endpoint', () => {
    const lists = fake.requests.filter((r) => r.path !== '/v1/account/info');
    expect(lists.every((r) => r.query.limit === '1000')).toBe(true);
    expect(fake.requests.filter((r) => /^\/v1\/users\/[^/]+/.test(r.path))).toEqual([]);
  });

  it('keeps at most its concurrency of calls in flight, and uses more than one', () => {
    expect(fake.maxInFlight).toBeLessThanOrEqual(concurrency);
    expect(fake.maxInFlight).toBeGreaterThan(1);
  });
});
