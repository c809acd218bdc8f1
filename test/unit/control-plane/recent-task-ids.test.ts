import { describe, expect, it } from '@jest/globals';
import { RecentTaskIds } from '../../../src/control-plane/recent-task-ids.js';

describe('RecentTaskIds defaults', () => {
  it('remembers a finished id for one hour', () => {
    let now = 1_700_000_000_000;
    const ids = new RecentTaskIds({ clock: { now: () => now } });
    ids.add('a');
    now += 3_600_000 - 1;
    expect(ids.has('a')).toBe(true);
    now += 1;
    expect(ids.has('a')).toBe(false);
    expect(ids.size).toBe(0);
  });

  it('holds at most 10,000 ids, dropping the oldest first', () => {
    const ids = new RecentTaskIds({ clock: { now: () => 1_700_000_000_000 } });
    for (let i = 0; i <= 10_000; i++) ids.add(`t${i}`);
    expect(ids.size).toBe(10_000);
    expect(ids.has('t0')).toBe(false);
    expect(ids.has('t1')).toBe(true);
    expect(ids.has('t10000')).toBe(true);
  });
});
