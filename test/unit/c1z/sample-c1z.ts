import { join } from 'node:path';
import { annotations } from '../../../src/connector/index.js';
import type { Grant } from '../../../src/connector/index.js';
import { C1zWriter } from '../../../src/c1z/index.js';
import {
  account,
  accountType,
  FakeClock,
  grant,
  member,
  team,
  teamType,
  user,
  userType,
} from './fixtures.js';

export const SAMPLE_START = new Date(2026, 2, 3, 9, 45, 13, 58).getTime();

export interface SampleOptions {
  /** File name inside `dir`; `sample.c1z` by default. */
  readonly name?: string;
  /** The grants; by default two on team 1's member entitlement and two on team 2's (one expandable). */
  readonly grants?: readonly Grant[];
  /** Clock time between startSync and endSync; 2250 ms by default. */
  readonly durationMs?: number;
}

/**
 * Writes the small sample sync (account, users 1-3, teams 1-2 with their member entitlements, then the grants)
 * used by the writer format, reader and inspect tests; returns its path and sync id.
 */
export async function writeSampleC1z(
  dir: string,
  opts: SampleOptions = {},
): Promise<{ path: string; syncId: string }> {
  const path = join(dir, opts.name ?? 'sample.c1z');
  const clock = new FakeClock(SAMPLE_START);
  const w = C1zWriter.create({ path, clock });
  const syncId = w.startSync('full');
  const [t1, t2] = [team(1), team(2)];
  const [m1, m2] = [member(t1), member(t2)];
  w.putResourceTypes([accountType, userType, teamType]);
  w.putResources([account, user(1), user(2), user(3), t1, t2]);
  w.putEntitlements([m1, m2]);
  w.putGrants(
    opts.grants ?? [
      grant(m1, user(1)),
      grant(m1, user(2)),
      grant(m2, t1, { annotations: [annotations.grantExpandable([m1.id])] }),
      grant(m2, user(3)),
    ],
  );
  w.markSupportsDiff();
  clock.advance(opts.durationMs ?? 2250);
  w.endSync();
  await w.finish();
  return { path, syncId };
}
