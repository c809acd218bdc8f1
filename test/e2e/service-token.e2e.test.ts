import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { assertBuilt, scanForSecrets } from './harness.js';
import {
  bearerToken,
  finishOf,
  secretsOf,
  stopService,
  serviceSuite,
  type Service,
  type ServiceWorld,
} from './service-support.js';

assertBuilt();

const UNAUTHENTICATED = 16;
const { harness, worlds, newService } = serviceSuite();

describe('with short-lived tokens (expires_in 12 s: refreshed ~2 s after issue)', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 51, tokenTtlSeconds: 12, nextPollMs: 100 }));
  }, 30_000);
  afterAll(() => stopService(service));

  it('requests new tokens over time while every RPC keeps succeeding', async () => {
    await world.c1.waitFor(() => world.c1.tokenRequests.length >= 3, 12_000);
    const finish = await finishOf(world, service.proc, world.c1.enqueueTask({ kind: 'eventFeed' }));
    expect(finish.status?.code).toBe(2);
    expect(world.c1.tokenRequests.every((t) => t.valid && t.status === 200)).toBe(true);
    const [first, second] = world.c1.tokenRequests;
    // Refreshed 10 s before the 12 s expiry, not on every call and not only at expiry.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_500);
    expect(second!.at - first!.at).toBeLessThan(4_000);
    expect(new Set(world.c1.calls.map(bearerToken)).size).toBeGreaterThanOrEqual(3);
    expect(world.c1.calls.filter((c) => c.grpcStatus !== 0)).toEqual([]);
  }, 20_000);

  it('recovers after the control plane invalidates every token', async () => {
    const expiredAt = Date.now();
    const tokensBefore = world.c1.tokenRequests.length;
    world.c1.expireTokens();
    const taskId = world.c1.enqueueTask({ kind: 'eventFeed' });
    const finish = await finishOf(world, service.proc, taskId, 15_000);
    expect(finish.status?.code).toBe(2);
    expect(world.c1.tokenRequests.length).toBeGreaterThan(tokensBefore);
    const after = world.c1.calls.filter((c) => c.at >= expiredAt);
    expect(after.some((c) => c.method === 'GetTask' && c.grpcStatus === 0)).toBe(true);
    expect(world.c1.violations).toEqual([]);
  }, 20_000);
});

describe('with long-lived tokens (expires_in 3600 s)', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 52, nextPollMs: 100 }));
  }, 30_000);
  afterAll(() => stopService(service));

  // The fake answers UNAUTHENTICATED to every RPC carrying a token issued before expireTokens(). A daemon
  // that keeps its cached token until expiry - 10 s stays locked out for the rest of the hour.
  it('recovers after the control plane invalidates every token', async () => {
    await world.c1.waitFor(() => world.c1.calls.some((c) => c.method === 'GetTask'), 5_000);
    expect(world.c1.tokenRequests).toHaveLength(1);
    const expiredAt = Date.now();
    world.c1.expireTokens();
    const taskId = world.c1.enqueueTask({ kind: 'eventFeed' });
    let finished = true;
    await finishOf(world, service.proc, taskId, 10_000).catch(() => (finished = false));
    const after = world.c1.calls.filter((c) => c.at >= expiredAt);
    const observed = {
      finished,
      tokenRequestsAfterExpiry: world.c1.tokenRequests.filter((t) => t.at >= expiredAt).length,
      unauthenticatedCalls: after.filter((c) => c.grpcStatus === UNAUTHENTICATED).length,
      successfulGetTasks: after.filter((c) => c.method === 'GetTask' && c.grpcStatus === 0).length,
    };
    // One line, so a failure shows what happened (e.g. no new token, every later call UNAUTHENTICATED).
    const summary = Object.entries(observed)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    expect(summary).toMatch(/^finished=true tokenRequestsAfterExpiry=[1-9]\d* .* successfulGetTasks=[1-9]/);
  }, 20_000);
});

describe('secrets', () => {
  it('never appear in the output of this suite, including any issued token', () => {
    const texts = harness.processes.flatMap((p) => [p.stdout, p.stderr]);
    const secrets = worlds.flatMap(secretsOf);
    expect(secrets.length).toBeGreaterThanOrEqual(2 * 3 + 4);
    expect(scanForSecrets(texts, secrets)).toEqual([]);
  });
});
