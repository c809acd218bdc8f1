import {
  clampNextPollMs,
  getTaskBackoffMs,
  heartbeatIntervalMs,
  helloBackoffMs,
} from '../../../src/control-plane/backoff.js';

describe('task loop intervals', () => {
  it.each([
    [undefined, 0],
    [0, 0],
    [-1, 0],
    [Number.NaN, 0],
    [250, 250],
    [300_000, 300_000],
    [300_001, 300_000],
  ])('clamps next_poll %s ms to %s ms', (input, want) => {
    expect(clampNextPollMs(input)).toBe(want);
  });

  it.each([
    [undefined, 30_000],
    [0, 30_000],
    [1, 1_000],
    [999, 1_000],
    [45_000, 45_000],
    [600_000, 300_000],
  ])('turns next_heartbeat %s ms into a %s ms interval', (input, want) => {
    expect(heartbeatIntervalMs(input)).toBe(want);
  });

  it('backs GetTask off n² seconds up to 60 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 100].map(getTaskBackoffMs)).toEqual([
      1_000, 4_000, 9_000, 16_000, 25_000, 36_000, 49_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('backs startup Hello off from 1 s, doubling, up to 5 min', () => {
    expect([1, 2, 3, 8, 9, 10, 50].map(helloBackoffMs)).toEqual([
      1_000, 2_000, 4_000, 128_000, 256_000, 300_000, 300_000,
    ]);
  });
});
