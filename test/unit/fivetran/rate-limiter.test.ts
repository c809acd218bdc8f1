import { RateLimiter } from '../../../src/fivetran/rate-limiter.js';
import { FakeClock } from './support.js';

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
};

describe('RateLimiter', () => {
  it('holds a third caller until one of two slots is released', async () => {
    const limiter = new RateLimiter({ concurrency: 2, clock: new FakeClock() });
    const s = AbortSignal.timeout(5000);
    const a = await limiter.acquire(s);
    await limiter.acquire(s);
    const third = limiter.acquire(s);
    expect(await settled(third)).toBe(false);
    a();
    a(); // releasing twice must not free a second slot
    expect(await settled(third)).toBe(true);
    expect(await settled(limiter.acquire(s))).toBe(false);
  });

  it('drops a queued caller whose signal aborts', async () => {
    const limiter = new RateLimiter({ concurrency: 1, clock: new FakeClock() });
    const release = await limiter.acquire(AbortSignal.timeout(5000));
    const controller = new AbortController();
    const queued = limiter.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(queued).rejects.toThrow('stop');
    release();
    expect(await settled(limiter.acquire(AbortSignal.timeout(5000)))).toBe(true);
  });

  it('makes every caller wait out a pause', async () => {
    const clock = new FakeClock();
    const waits: number[] = [];
    const limiter = new RateLimiter({ concurrency: 4, clock, onWait: (ms) => waits.push(ms) });
    limiter.pause(2500);
    (await limiter.acquire(AbortSignal.timeout(5000)))();
    expect(waits).toEqual([2500]);
    (await limiter.acquire(AbortSignal.timeout(5000)))();
    expect(waits).toEqual([2500]);
  });

  it('spaces starts at the quota rate only while the remaining quota is low', () => {
    const limiter = new RateLimiter({ concurrency: 1, clock: new FakeClock() });
    limiter.observe(20_000, 5000);
    expect(limiter.spacingMs).toBe(0);
    limiter.observe(20_000, 999);
    expect(limiter.spacingMs).toBe(180);
    limiter.observe(20_000, 1500);
    expect(limiter.spacingMs).toBe(0);
  });
});
