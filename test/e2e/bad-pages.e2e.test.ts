// Issue 11, defects 1 and 2: a 200 that is not a Fivetran list page, and a list that never ends, fail the sync
// (retryably) instead of producing a "successful" partial account. Real process against the fake Fivetran.
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  generateDataset,
  startFakeFivetran,
  type FakeFivetran,
  type FakeFivetranOptions,
  type MalformedBody,
} from '../fakes/fivetran/index.js';
import type { FinishTaskRequest } from '../fakes/control-plane/index.js';
import { assertBuilt, CliHarness, fivetranEnv, listDir, type CliProcess } from './harness.js';
import { runTask, serviceSuite, stopService, type Service, type ServiceWorld } from './service-support.js';

assertBuilt();

const UNAVAILABLE = 14;
/** `FivetranClient`'s default `maxRetries` (src/fivetran/client.ts): a fault must outlast every retry. */
const ATTEMPTS = 1 + 4;

const harness = new CliHarness();
const fakes: FakeFivetran[] = [];
afterAll(async () => {
  await harness.cleanup();
  await Promise.all(fakes.map((f) => f.close()));
});

const newFake = async (o: FakeFivetranOptions = {}): Promise<FakeFivetran> => {
  const fake = await startFakeFivetran({
    dataset: generateDataset({ seed: 21, users: 25, groups: 3, teams: 3 }),
    ...o,
  });
  fakes.push(fake);
  return fake;
};

const oneShot = (fake: FakeFivetran, extra: string[] = []) =>
  harness.run(['-f', 'out.c1z', ...extra], { env: fivetranEnv(fake), timeoutMs: 25_000 });

/** Exit 1 with one plain error line, no c1z and nothing left in the temp dirs. */
async function expectFailedSync(proc: CliProcess): Promise<string> {
  expect(proc.exit).toEqual({ code: 1, signal: null });
  const plain = proc.plainStderr.filter((l) => l.trim() !== '');
  expect(plain).toHaveLength(1);
  expect(proc.logs.some((l) => l.msg === 'sync finished')).toBe(false);
  expect(existsSync(join(proc.cwd, 'out.c1z'))).toBe(false);
  expect(await listDir(proc.cwd)).toEqual([]);
  expect(await listDir(proc.tmpDir)).toEqual([]);
  return plain[0]!;
}

describe('a one-shot sync whose GET /v1/users answers 200 with a malformed page every time', () => {
  const cases: [MalformedBody, string][] = [
    ['empty', 'an empty body'],
    ['no-items', 'nothing as "data.items" instead of a list'],
    ['error-code', 'code "InternalError" instead of "Success"'],
  ];
  const runs = new Map<MalformedBody, { proc: CliProcess; fake: FakeFivetran }>();

  beforeAll(async () => {
    // In parallel: each run waits through the client's backoff before giving up.
    await Promise.all(
      cases.map(async ([body]) => {
        const fake = await newFake();
        fake.injectFaults(
          ...Array.from({ length: ATTEMPTS }, () => ({ kind: 'malformed' as const, body, match: '/users' })),
        );
        runs.set(body, { proc: await oneShot(fake), fake });
      }),
    );
  }, 40_000);

  it.each(cases)(
    '%s: exits 1 naming the endpoint and the problem, retryable, with no c1z',
    async (body, problem) => {
      const { proc, fake } = runs.get(body)!;
      const line = await expectFailedSync(proc);
      expect(line).toBe(
        `baton-fivetran: sync failed: GET /v1/users: Fivetran answered 200 with ${problem}; ` +
          'not a valid answer, so the read fails (UNAVAILABLE)',
      );
      expect(fake.requestCount({ method: 'GET', pathPrefix: '/v1/users' })).toBe(ATTEMPTS);
      const retries = proc.logs.filter((l) => l.msg === 'fivetran call will be retried');
      expect(retries).toHaveLength(ATTEMPTS - 1);
      expect(retries.every((l) => l.level === 'warn' && l.endpoint === '/v1/users')).toBe(true);
    },
  );
});

describe('a one-shot sync whose team member page holds an item without user_id', () => {
  let proc: CliProcess;
  beforeAll(async () => {
    const fake = await newFake();
    // Enough for every team listing, whichever of them the concurrent sync asks first, to fail every attempt.
    fake.injectFaults(
      ...Array.from({ length: 40 }, () => ({
        kind: 'malformed' as const,
        body: 'item-without-id' as const,
        match: '/teams/',
      })),
    );
    proc = await oneShot(fake);
  }, 30_000);

  it('exits 1 naming the team endpoint and the missing field', async () => {
    const line = await expectFailedSync(proc);
    expect(line).toMatch(
      /^baton-fivetran: sync failed: GET \/v1\/teams\/\w+\/(users|groups): Fivetran answered 200 with item 1 of the page without a "(user_id|id)"; .*\(UNAVAILABLE\)$/,
    );
  });
});

describe('a one-shot sync whose GET /v1/users never ends', () => {
  it('stops at page 2 when every page repeats the first under a fresh cursor', async () => {
    const fake = await newFake();
    fake.pageForever('/users');
    const proc = await oneShot(fake);
    const line = await expectFailedSync(proc);
    expect(line).toBe(
      'baton-fivetran: sync failed: listing resources for type user failed: page 2 holds only items listed on ' +
        'earlier pages; taken as a list that never ends (UNAVAILABLE)',
    );
    expect(fake.requestCount({ pathPrefix: '/v1/users' })).toBe(2);
  });

  it('stops past three times --fivetran-max-list-items / 1000 + 1 pages of new items', async () => {
    // A cap of 1000 items: 2 pages per Fivetran list, 6 per sync listing (which may walk three lists);
    // 6,500 users take 7 pages.
    const fake = await newFake({ dataset: generateDataset({ seed: 22, users: 6500, groups: 2, teams: 2 }) });
    const proc = await oneShot(fake, ['--fivetran-max-list-items', '1000']);
    const line = await expectFailedSync(proc);
    expect(line).toBe(
      'baton-fivetran: sync failed: listing resources for type user failed: more than 6 pages, more than the ' +
        'account can hold; taken as a list that never ends (UNAVAILABLE)',
    );
    expect(fake.requestCount({ pathPrefix: '/v1/users' })).toBe(7);
    const roomy = await oneShot(fake, ['--fivetran-max-list-items', '2000']);
    if (roomy.exit?.code !== 0) throw new Error(roomy.describe());
  }, 40_000);
});

describe('service mode: bad pages and an endless list finish the task as retryable failures', () => {
  const suite = serviceSuite();
  let world: ServiceWorld;
  let service: Service;
  let malformed: FinishTaskRequest;
  let endless: FinishTaskRequest;
  let healthy: FinishTaskRequest;

  beforeAll(async () => {
    ({ world, service } = await suite.newService({ seed: 23, users: 20 }));
    world.fivetran.injectFaults(
      ...Array.from({ length: ATTEMPTS }, () => ({
        kind: 'malformed' as const,
        body: 'null-items' as const,
        match: '/users',
      })),
    );
    malformed = await runTask(world, service.proc, 'syncFull', {}, 25_000);
    world.fivetran.pageForever('/users');
    endless = await runTask(world, service.proc, 'syncFull', {});
    world.fivetran.reset();
    healthy = await runTask(world, service.proc, 'syncFull', {});
  }, 60_000);
  afterAll(() => stopService(service));

  const failure = (f: FinishTaskRequest) => ({
    code: f.status?.code,
    nonRetryable: f.error?.nonRetryable ?? false,
    success: f.success !== undefined,
  });

  it('finishes a sync with a null items page UNAVAILABLE, retryable, naming the endpoint, without upload', () => {
    expect(failure(malformed)).toEqual({ code: UNAVAILABLE, nonRetryable: false, success: false });
    expect(malformed.status?.message).toContain(
      'GET /v1/users: Fivetran answered 200 with null as "data.items" instead of a list',
    );
    expect(world.c1.uploads(malformed.taskId!)).toEqual([]);
  });

  it('finishes a sync with an endless user list UNAVAILABLE, retryable, without upload', () => {
    expect(failure(endless)).toEqual({ code: UNAVAILABLE, nonRetryable: false, success: false });
    expect(endless.status?.message).toContain(
      'listing resources for type user failed: page 2 holds only items',
    );
    expect(world.c1.uploads(endless.taskId!)).toEqual([]);
  });

  it('keeps serving: the next sync succeeds and uploads', async () => {
    expect(healthy.success).toBeDefined();
    expect(world.c1.uploads(healthy.taskId!)).toHaveLength(1);
    expect(await listDir(service.c1zTempDir)).toEqual([]);
  });
});
