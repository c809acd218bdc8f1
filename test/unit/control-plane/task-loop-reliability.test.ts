// Issue 11: FinishTask retried within the task's lease (never a success for a cancelled task), and a task id
// delivered twice runs once.
import { describe, expect, it } from '@jest/globals';
import { invalidArgument, unavailable } from '../../../src/connector/index.js';
import type { TaskHandler } from '../../../src/tasks/index.js';
import { gatedHandler, startLoop } from '../tasks/loop-harness.js';
import { eventually, task } from '../tasks/support.js';

const finishing = (): TaskHandler & { runs: number } => {
  const h = {
    runs: 0,
    classify: () => false,
    run: async () => {
      h.runs++;
      return { kind: 'finish' as const };
    },
  };
  return h;
};

/** Starts heartbeats, then finishes at once. */
const heartbeating: TaskHandler = {
  classify: () => false,
  run: async (_p, ctx) => {
    await ctx.startHeartbeats();
    return { kind: 'finish' };
  },
};

/**
 * A heartbeating sync task (heartbeats acknowledged every 5 s) whose first `failures` FinishTask calls fail
 * UNAVAILABLE; returns once the first has been made.
 */
async function heartbeatingSyncFinishFailing(failures: number) {
  const h = startLoop({ handlers: { syncFull: heartbeating } });
  h.client.nextHeartbeatMs = 5_000;
  h.client.failNext('finishTask', unavailable('control plane down'), failures);
  const t = task('syncFull');
  h.client.enqueue(t);
  await h.client.waitForCount('finishTask', 1);
  return { h, t };
}

/** Moves the fake clock 1 s at a time (polls wait next_poll = 1 s) until `pred` holds. */
async function advanceUntil(h: ReturnType<typeof startLoop>, pred: () => boolean, maxSteps = 30) {
  for (let i = 0; i < maxSteps && !pred(); i++) await h.clock.advance(1_000);
  expect(pred()).toBe(true);
}

/** 9 heartbeats at the SDK's default 30 s (control-plane.md §4.5): the lease of a task that does not heartbeat. */
const DEFAULT_LEASE_MS = 270_000;

describe('FinishTask retries', () => {
  it('give up at the default lease (270 s) for a task without heartbeats, logging one error', async () => {
    const h = startLoop({ handlers: { grant: finishing() } });
    h.client.failNext('finishTask', unavailable('control plane down'), 1_000);
    const t = task('grant');
    h.client.enqueue(t);
    await h.client.waitForCount('finishTask', 1);
    const startedAt = h.clock.now();
    const attemptsAt: number[] = [];
    h.client.on('finishTask', () => void attemptsAt.push(h.clock.now() - startedAt));
    for (let i = 0; i < 40 && !h.sink.lines.some((l) => l.msg === 'FinishTask failed'); i++) {
      await h.clock.advance(15_000);
    }
    await h.stop();
    // Waits 1, 2, 4, 8 s, then 15 s apart; the last one cut short to land on the lease's end.
    expect(attemptsAt.slice(0, 5)).toEqual([1_000, 3_000, 7_000, 15_000, 30_000]);
    expect(attemptsAt.at(-1)).toBe(DEFAULT_LEASE_MS);
    expect(h.client.finishes(t.id)).toHaveLength(1 + attemptsAt.length);
    expect(h.sink.lines.filter((l) => l.msg === 'FinishTask failed')).toHaveLength(1);
    expect(h.metricEvents).toContain('finishFailed:grant');
  });

  it('stop at once on a code a retry cannot fix', async () => {
    const h = startLoop({ handlers: { grant: finishing() } });
    h.client.failNext('finishTask', invalidArgument('task_id must be 27 alphanumerics'), 5);
    h.client.enqueue(task('grant'));
    await eventually(() => h.sink.lines.some((l) => l.msg === 'FinishTask failed'), 'the give-up');
    await h.clock.advance(60_000);
    await h.stop();
    expect(h.client.count('finishTask')).toBe(1);
  });

  it('go on past the default lease while heartbeats are acknowledged', async () => {
    // Attempts 1, 3, 7, 15 s, then 15 s apart: the 31st comes at 405 s, well past 270 s.
    const { h, t } = await heartbeatingSyncFinishFailing(30);
    const startedAt = h.clock.now();
    for (let i = 0; i < 100 && h.client.count('finishTask') < 31; i++) await h.clock.advance(5_000);
    const ackedAfterMs = h.clock.now() - startedAt;
    await h.stop();
    expect(ackedAfterMs).toBeGreaterThan(DEFAULT_LEASE_MS);
    expect(h.client.finishes(t.id)).toHaveLength(31);
    expect(h.client.finishes(t.id).every((f) => f.result.kind === 'success')).toBe(true);
    expect(h.sink.lines.filter((l) => l.msg === 'FinishTask failed')).toEqual([]);
  });

  it('report a success CANCELLED once the server cancels the task during the retries', async () => {
    const { h, t } = await heartbeatingSyncFinishFailing(1_000);
    h.client.cancelTask(t.id);
    await advanceUntil(h, () => h.sink.lines.some((l) => l.msg === 'FinishTask failed'));
    await h.stop();
    const results = h.client.finishes(t.id).map((f) => f.result);
    expect(results.at(-1)).toMatchObject({ kind: 'error', status: { code: 1 }, nonRetryable: false });
    expect(results.slice(0, -1).every((r) => r.kind === 'success')).toBe(true);
    expect(h.sink.lines.some((l) => l.msg === 'task was abandoned; reporting it cancelled')).toBe(true);
  });
});

describe('a task id delivered twice', () => {
  it('is dropped while the first delivery runs: one run, one FinishTask, counted', async () => {
    const g = gatedHandler();
    const h = startLoop({ handlers: { grant: g.handler }, concurrency: 2 });
    const t = task('grant');
    h.client.enqueue(t, t);
    await advanceUntil(h, () => h.metricEvents.includes('duplicate:in_flight'));
    g.gates[0]!.resolve();
    await h.client.waitForCount('finishTask', 1);
    await h.clock.advance(5_000);
    await h.stop();
    expect(g.gates).toHaveLength(1);
    expect(h.client.finishes(t.id)).toHaveLength(1);
    const warned = h.sink.lines.filter((l) => l.msg === 'duplicate task delivery ignored');
    expect(warned).toEqual([expect.objectContaining({ level: 40, taskId: t.id, state: 'in_flight' })]);
  });

  it('is dropped within an hour after its FinishTask was acknowledged, and runs again after that', async () => {
    const handler = finishing();
    const h = startLoop({ handlers: { grant: handler } });
    const t = task('grant');
    h.client.enqueue(t);
    await h.client.waitForCount('finishTask', 1);
    h.client.enqueue(t);
    await advanceUntil(h, () => h.metricEvents.includes('duplicate:finished'));
    await h.clock.advance(3_600_000);
    h.client.enqueue(t);
    await advanceUntil(h, () => h.client.count('finishTask') === 2);
    await h.stop();
    expect(handler.runs).toBe(2);
  });

  it('runs again when its FinishTask never got through (the control plane is retrying it)', async () => {
    const handler = finishing();
    const h = startLoop({ handlers: { grant: handler } });
    h.client.failNext('finishTask', invalidArgument('refused'), 1);
    const t = task('grant');
    h.client.enqueue(t);
    await eventually(() => h.sink.lines.some((l) => l.msg === 'FinishTask failed'), 'the give-up');
    h.client.enqueue(t);
    await advanceUntil(h, () => h.client.count('finishTask') === 2);
    await h.stop();
    expect(handler.runs).toBe(2);
    expect(h.metricEvents.filter((e) => e.startsWith('duplicate'))).toEqual([]);
  });

  it('remembers at most maxIds finished ids, forgetting the oldest', async () => {
    const handler = finishing();
    const h = startLoop({ handlers: { grant: handler }, recentTasks: { maxIds: 2 } });
    const [a, b, c] = [task('grant'), task('grant'), task('grant')];
    for (const [i, t] of [a, b, c].entries()) {
      h.client.enqueue(t);
      await advanceUntil(h, () => h.client.count('finishTask') === i + 1);
    }
    h.client.enqueue(c, a);
    await advanceUntil(h, () => h.client.count('finishTask') === 4);
    await h.stop();
    expect(handler.runs).toBe(4);
    expect(h.client.finishes(a.id)).toHaveLength(2);
    expect(h.metricEvents.filter((e) => e.startsWith('duplicate'))).toEqual(['duplicate:finished']);
  });
});
