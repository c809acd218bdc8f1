import { unimplemented } from '../../../src/connector/index.js';
import type { TaskHandlers } from '../../../src/tasks/index.js';
import { gatedHandler, startLoop } from '../tasks/loop-harness.js';
import { eventually, settle, task } from '../tasks/support.js';

function startBatchedLoop(o: { handlers?: TaskHandlers; concurrency?: number; idlePollMs?: number } = {}) {
  const failedPolls: string[] = [];
  const h = startLoop({
    ...o,
    getTasks: true,
    metrics: { getTaskFailed: () => void failedPolls.push('getTaskFailed') },
  });
  const polls = () =>
    h.client.calls.flatMap((c) =>
      c.method === 'getTasks' ? [{ pageSize: c.pageSize, known: c.knownTaskIds }] : [],
    );
  return { ...h, polls, failedPolls };
}

describe('TaskLoop with BATON_GET_TASKS', () => {
  it('runs queued tasks within the slot limit, one FinishTask each, and never calls GetTask', async () => {
    const g = gatedHandler();
    const h = startBatchedLoop({ handlers: { grant: g.handler }, concurrency: 2 });
    const tasks = [task('grant'), task('grant'), task('grant'), task('grant'), task('grant')];
    h.client.enqueue(...tasks);
    await eventually(() => g.gates.length === 2, 'two tasks');
    await settle();
    expect(h.polls()).toEqual([{ pageSize: 4, known: [] }]);
    expect(h.loop.status()).toMatchObject({ inFlight: 2 });

    g.gates[0]!.resolve();
    await eventually(() => g.gates.length === 3, 'third task from the queue');
    expect(h.polls()).toHaveLength(1); // one queued + two in flight: still at the low watermark

    g.gates[1]!.resolve();
    g.gates[2]!.resolve();
    await eventually(() => g.gates.length === 4, 'fourth task');
    // next_poll (1 s) has not passed: the fifth task waits on the server
    expect(h.polls()).toHaveLength(1);
    await h.clock.advance(1_000);
    await eventually(() => g.gates.length === 5, 'fifth task');
    const second = h.polls()[1]!;
    expect(second.known).toEqual([tasks[3]!.id]);
    expect(second.pageSize).toBe(3);

    g.gates.forEach((d) => d.resolve());
    await eventually(() => h.client.finishes().length === 5, 'five finishes');
    expect(
      h.client
        .finishes()
        .map((f) => f.taskId)
        .sort(),
    ).toEqual(tasks.map((t) => t.id).sort());
    expect(h.client.count('getTask')).toBe(0);
    expect(h.loop.status()).toMatchObject({ inFlight: 0, tasksDone: 5, tasksFailed: 0 });
    await h.stop();
  });

  it('backs off n² seconds when GetTasks fails with nothing queued, with no fallback to GetTask', async () => {
    const h = startBatchedLoop({ idlePollMs: 0 });
    h.client.scriptGetTasks(unimplemented('no GetTasks'), unimplemented('no GetTasks'));
    await h.clock.waitForSleepers(1);
    await h.clock.advance(1_000);
    await h.clock.waitForSleepers(1);
    await h.clock.advance(4_000);
    await h.clock.waitForSleepers(1);
    expect(h.clock.sleeps).toEqual([1_000, 4_000, 100]);
    expect(h.failedPolls).toHaveLength(2);
    expect(h.client.count('getTasks')).toBe(3);
    expect(h.client.count('getTask')).toBe(0);
    expect(h.sink.lines.some((l) => l.msg === 'GetTasks failed, backing off')).toBe(true);
    await h.stop();
  });

  it('drops queued tasks at shutdown without finishing them, and finishes the running one', async () => {
    const g = gatedHandler();
    const h = startBatchedLoop({ handlers: { grant: g.handler }, concurrency: 1 });
    const [a, b] = [task('grant'), task('grant')];
    h.client.enqueue(a, b);
    await eventually(() => g.gates.length === 1, 'first task');
    const stopped = h.stop();
    g.gates[0]!.resolve();
    await stopped;
    expect(h.client.finishes().map((f) => f.taskId)).toEqual([a.id]);
    expect(h.loop.status().state).toBe('stopped');
  });
});
