import { unavailable } from '../../../src/connector/index.js';
import {
  Heartbeater,
  HeartbeatFailedError,
  MAX_HEARTBEAT_FAILURES,
  TaskCancelledError,
} from '../../../src/control-plane/heartbeater.js';
import type { TaskAbortedError } from '../../../src/control-plane/finish-error.js';
import { MemoryBatonClient } from '../../fakes/memory-baton-client.js';
import { FakeClock, logSink, settle } from '../tasks/support.js';

const TASK_ID = 'hbtask00000000000000000000a';

describe('Heartbeater', () => {
  const setup = () => {
    const client = new MemoryBatonClient();
    const clock = new FakeClock();
    const aborts: TaskAbortedError[] = [];
    const task = new AbortController();
    const hb = new Heartbeater({
      client,
      taskId: TASK_ID,
      clock,
      log: logSink().log,
      abortTask: (r) => {
        aborts.push(r);
        task.abort(r);
      },
    });
    return { client, clock, aborts, task, hb };
  };

  it('fails the start when the initial heartbeat fails, leaving no timer', async () => {
    const { client, clock, hb, task } = setup();
    client.failNext('heartbeat', unavailable('down'));
    const err = await hb.start(task.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeartbeatFailedError);
    expect((err as Error).cause).toMatchObject({ message: 'down' });
    expect(hb.state).toBe('initial-failed');
    expect(clock.pending).toBe(0);
  });

  it('fails the start with TaskCancelledError when the initial answer is cancelled', async () => {
    const { client, clock, hb, task } = setup();
    client.scriptHeartbeats({ nextHeartbeatMs: 0, cancelled: true });
    await expect(hb.start(task.signal)).rejects.toBeInstanceOf(TaskCancelledError);
    expect(hb.state).toBe('initial-failed');
    expect(clock.pending).toBe(0);
  });

  it('heartbeats at the clamped server interval, carrying the task id', async () => {
    const { client, clock, hb, task } = setup();
    client.scriptHeartbeats(
      { nextHeartbeatMs: 0, cancelled: false },
      { nextHeartbeatMs: 200, cancelled: false },
      { nextHeartbeatMs: 3_600_000, cancelled: false },
      { nextHeartbeatMs: 7_000, cancelled: false },
    );
    await hb.start(task.signal);
    await clock.advance(30_000 + 1_000 + 300_000);
    expect(clock.sleeps).toEqual([30_000, 1_000, 300_000, 7_000]);
    expect(client.calls).toEqual(Array(4).fill({ method: 'heartbeat', taskId: TASK_ID }));
    await hb.stop();
    expect(clock.pending).toBe(0);
    expect(hb.state).toBe('stopped');
  });

  it('aborts the task with TaskCancelledError when a periodic answer says cancelled', async () => {
    const { client, clock, hb, task, aborts } = setup();
    await hb.start(task.signal);
    client.cancelTask(TASK_ID);
    await clock.advance(30_000);
    expect(aborts).toHaveLength(1);
    expect(aborts[0]).toBeInstanceOf(TaskCancelledError);
    expect(task.signal.reason).toBe(aborts[0]);
    expect(clock.pending).toBe(0);
  });

  it(`aborts with HeartbeatFailedError after ${MAX_HEARTBEAT_FAILURES} consecutive failures, not before`, async () => {
    const { client, clock, hb, task, aborts } = setup();
    await hb.start(task.signal);
    client.failNext('heartbeat', unavailable('flaky'), MAX_HEARTBEAT_FAILURES - 1);
    await clock.advance(30_000 * (MAX_HEARTBEAT_FAILURES - 1));
    expect(aborts).toEqual([]);
    await clock.advance(30_000); // a success resets the count
    client.failNext('heartbeat', unavailable('down'), 100);
    await clock.advance(30_000 * (MAX_HEARTBEAT_FAILURES - 1));
    expect(aborts).toEqual([]);
    await clock.advance(30_000);
    expect(aborts).toHaveLength(1);
    expect(aborts[0]).toBeInstanceOf(HeartbeatFailedError);
    expect(client.count('heartbeat')).toBe(1 + MAX_HEARTBEAT_FAILURES + MAX_HEARTBEAT_FAILURES);
    await clock.advance(300_000);
    expect(client.count('heartbeat')).toBe(1 + 2 * MAX_HEARTBEAT_FAILURES);
    expect(clock.pending).toBe(0);
  });

  it('keeps one heartbeat in flight at a time', async () => {
    const { client, clock, hb, task } = setup();
    await hb.start(task.signal);
    let release: () => void = () => {};
    client.on('heartbeat', () => new Promise<void>((r) => (release = r)));
    await clock.advance(30_000 * 5);
    expect(client.count('heartbeat')).toBe(2);
    release();
    client.on('heartbeat', undefined);
    await settle();
    await clock.advance(30_000);
    expect(client.count('heartbeat')).toBe(3);
    await hb.stop();
  });

  it('stops when the task signal aborts, clearing the timer', async () => {
    const { clock, hb, task } = setup();
    await hb.start(task.signal);
    expect(clock.pending).toBe(1);
    task.abort(new Error('task over'));
    await settle();
    expect(clock.pending).toBe(0);
    await hb.stop();
  });
});
