import { GracePeriodExpiredError } from '../../../src/control-plane/task-loop.js';
import { eventually, settle, task } from '../tasks/support.js';
import { gatedHandler, startLoop } from '../tasks/loop-harness.js';

describe('TaskLoop shutdown', () => {
  it('stops at once when idle, sending nothing more', async () => {
    const h = startLoop();
    expect(h.loop.status().state).toBe('running');
    await h.client.waitForCount('getTask', 1);
    await h.stop();
    expect(h.loop.status()).toEqual({ state: 'stopped', inFlight: 0, tasksDone: 0, tasksFailed: 0 });
    expect(h.client.count('getTask')).toBe(1);
    expect(h.clock.pending).toBe(0);
  });

  it('aborts a GetTask in flight', async () => {
    const h = startLoop();
    h.client.on('getTask', () => new Promise(() => {}));
    await h.client.waitForCount('getTask', 1);
    await h.stop();
    expect(h.loop.status().state).toBe('stopped');
  });

  it('lets a task that ends within the grace period finish normally, and polls no more', async () => {
    const g = gatedHandler({ nonRetryable: true });
    const h = startLoop({ handlers: { grant: g.handler }, shutdownGraceMs: 10_000 });
    const t = task('grant');
    h.client.enqueue(t);
    await eventually(() => g.gates.length === 1, 'task start');
    h.root.abort(new Error('SIGTERM'));
    await settle();
    expect(h.loop.status()).toMatchObject({ state: 'draining', inFlight: 1 });
    await h.clock.advance(9_999);
    expect(g.contexts[0]!.signal.aborted).toBe(false);
    g.gates[0]!.resolve();
    await h.done;
    expect(h.client.finishes()).toEqual([
      expect.objectContaining({ taskId: t.id, result: { kind: 'success' } }),
    ]);
    expect(h.client.count('getTask')).toBe(1);
    expect(h.loop.status()).toEqual({ state: 'stopped', inFlight: 0, tasksDone: 1, tasksFailed: 0 });
    expect(h.clock.pending).toBe(0);
  });

  it('cancels a task outlasting the grace period: CANCELLED, retryable, finished before run resolves', async () => {
    const fast = gatedHandler();
    const slow = gatedHandler({ nonRetryable: true });
    const h = startLoop({
      handlers: { grant: fast.handler, revoke: slow.handler },
      concurrency: 2,
      shutdownGraceMs: 10_000,
      idlePollMs: 0,
    });
    const [a, b] = [task('grant'), task('revoke')];
    h.client.enqueue(a, b);
    await eventually(() => fast.gates.length === 1 && slow.gates.length === 1, 'both tasks');
    h.client.nextPollMs = 1_000;
    h.root.abort(new Error('SIGTERM'));
    let isDone = false;
    void h.done.then(() => (isDone = true));
    fast.gates[0]!.resolve();
    await h.clock.advance(9_000);
    expect(h.client.finishes(a.id)).toHaveLength(1);
    expect(isDone).toBe(false);
    await h.clock.advance(1_000);
    await h.done;
    expect(slow.contexts[0]!.signal.reason).toBeInstanceOf(GracePeriodExpiredError);
    expect(h.client.finishes(b.id)).toEqual([
      expect.objectContaining({
        result: {
          kind: 'error',
          status: {
            code: 1,
            message: 'baton-fivetran: shutting down, task cancelled after the 10000 ms grace period',
          },
          nonRetryable: false,
        },
        isSignalAborted: false,
      }),
    ]);
    expect(h.client.finishes()).toHaveLength(2);
    expect(h.loop.status()).toEqual({ state: 'stopped', inFlight: 0, tasksDone: 1, tasksFailed: 1 });
    expect(h.sink.lines.find((l) => l.msg === 'grace period over, cancelling in-flight tasks')).toBeDefined();
  });
});
