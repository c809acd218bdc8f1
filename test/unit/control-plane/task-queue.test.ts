import { unavailable } from '../../../src/connector/index.js';
import { TaskQueue } from '../../../src/control-plane/task-queue.js';
import { MemoryBatonClient } from '../../fakes/memory-baton-client.js';
import { FakeClock, logSink, task } from '../tasks/support.js';

function setup(concurrency = 2) {
  const client = new MemoryBatonClient();
  const clock = new FakeClock();
  const sink = logSink();
  const queue = new TaskQueue({ client, concurrency, clock, log: sink.log });
  const signal = new AbortController().signal;
  const polls = () =>
    client.calls.flatMap((c) =>
      c.method === 'getTasks' ? [{ pageSize: c.pageSize, known: c.knownTaskIds }] : [],
    );
  return { client, clock, sink, queue, signal, polls };
}

describe('TaskQueue (GetTasks polling)', () => {
  it('asks for high − known tasks, naming the queued and in-flight ones, only below the low watermark', async () => {
    const { client, clock, queue, signal, polls } = setup(2);
    const [a, b, c, d, e] = [task('grant'), task('grant'), task('revoke'), task('grant'), task('grant')];
    client.scriptGetTasks({ tasks: [a, b, c], nextPollMs: 0 }, { tasks: [d, e], nextPollMs: 0 });

    expect(await queue.next(signal)).toEqual({ task: a, waitMs: 0 });
    expect(polls()).toEqual([{ pageSize: 4, known: [] }]);
    // a in flight, b and c queued: 3 known ≥ low 2, so no poll
    expect(await queue.next(signal)).toEqual({ task: b, waitMs: 0 });
    expect(polls()).toHaveLength(1);
    expect({ queued: queue.queued, inFlight: queue.inFlight }).toEqual({ queued: 1, inFlight: 2 });

    queue.markDone(a.id);
    queue.markDone(b.id);
    // 1 known (c queued) < 2: poll for 4 − 1 = 3
    expect(await queue.next(signal)).toEqual({ task: c, waitMs: 0 });
    expect(polls()[1]).toEqual({ pageSize: 3, known: [c.id] });
    queue.markDone(c.id);
    expect(await queue.next(signal)).toEqual({ task: d, waitMs: 0 });
    await clock.advance(0);
    expect(polls()).toHaveLength(2);
  });

  it('skips none tasks, duplicates and ids already queued or in flight', async () => {
    const { client, queue, signal, polls } = setup(3);
    const [a, b, c] = [task('grant'), task('grant'), task('grant')];
    client.scriptGetTasks(
      { tasks: [a, { ...task('none') }, a, b], nextPollMs: 0 },
      { tasks: [a, b, c, c], nextPollMs: 0 },
    );
    expect(await queue.next(signal)).toEqual({ task: a, waitMs: 0 });
    queue.markDone(a.id); // a done; b queued: 1 known < 3
    expect(await queue.next(signal)).toEqual({ task: b, waitMs: 0 });
    expect(polls()[1]).toEqual({ pageSize: 5, known: [b.id] });
    // second answer repeats a (done, so new to the queue), b (in flight) and c twice
    expect(await queue.next(signal)).toEqual({ task: a, waitMs: 0 });
    expect(await queue.next(signal)).toEqual({ task: c, waitMs: 0 });
    expect(queue.queued).toBe(0);
    expect(queue.inFlight).toBe(3);
  });

  it('waits until the clamped next_poll with an empty queue, or 100 ms when the poll is already due', async () => {
    const { client, clock, queue, signal, polls } = setup(1);
    client.scriptGetTasks(
      { tasks: [], nextPollMs: 1_234 },
      { tasks: [], nextPollMs: 3_600_000 },
      { tasks: [], nextPollMs: 0 },
      { tasks: [], nextPollMs: Number.NaN },
    );
    expect(await queue.next(signal)).toEqual({ waitMs: 1_234 });
    await clock.advance(1_000);
    expect(await queue.next(signal)).toEqual({ waitMs: 234 }); // not due: no poll
    expect(polls()).toHaveLength(1);
    await clock.advance(234);
    expect(await queue.next(signal)).toEqual({ waitMs: 300_000 });
    await clock.advance(300_000);
    expect(await queue.next(signal)).toEqual({ waitMs: 100 });
    expect(await queue.next(signal)).toEqual({ waitMs: 100 });
    expect(polls()).toHaveLength(4);
  });

  it('caps page_size at 100', async () => {
    const { queue, signal, polls } = setup(100);
    await queue.next(signal);
    expect(polls()).toEqual([{ pageSize: 100, known: [] }]);
  });

  it('throws a GetTasks error when nothing is queued, and serves the queue when something is', async () => {
    const { client, queue, signal, sink, polls } = setup(2);
    const [a, b] = [task('grant'), task('grant')];
    client.scriptGetTasks(unavailable('down'), { tasks: [a, b], nextPollMs: 0 }, unavailable('down again'));
    await expect(queue.next(signal)).rejects.toThrow('down');
    expect(await queue.next(signal)).toEqual({ task: a, waitMs: 0 });
    queue.markDone(a.id); // 1 known < 2: polls, fails, b still served
    expect(await queue.next(signal)).toEqual({ task: b, waitMs: 0 });
    expect(polls()).toHaveLength(3);
    expect(sink.lines.some((l) => l.msg === 'GetTasks failed; serving queued tasks' && l.level === 40)).toBe(
      true,
    );
    expect(client.count('getTask')).toBe(0);
  });

  it('rejects a concurrency below 1', () => {
    const { client, clock, sink } = setup();
    expect(() => new TaskQueue({ client, concurrency: 0, clock, log: sink.log })).toThrow(RangeError);
  });
});
