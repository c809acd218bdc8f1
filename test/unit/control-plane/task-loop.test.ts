import { Code, invalidArgument } from '../../../src/connector/index.js';
import { FINISH_TASK_TIMEOUT_MS, TaskLoop } from '../../../src/control-plane/task-loop.js';
import { createTaskHandlers, hello, type TaskDeps } from '../../../src/tasks/index.js';
import { MemoryBatonClient } from '../../fakes/memory-baton-client.js';
import { eventually, FakeClock, logSink, settle, task } from '../tasks/support.js';
import { gatedHandler, startLoop } from '../tasks/loop-harness.js';

const T = 'type.googleapis.com/c1.connector.v2.';
const stubDeps = { registry: {}, provisioningEnabled: true, tempDir: '/nonexistent' } as unknown as TaskDeps;

describe('TaskLoop polling', () => {
  it('takes a slot before polling: with concurrency 1 it does not poll while a task runs', async () => {
    const g = gatedHandler();
    const h = startLoop({ handlers: { grant: g.handler }, concurrency: 1 });
    const t = task('grant');
    h.client.enqueue(t);
    await eventually(() => g.gates.length === 1, 'task start');
    await h.clock.advance(60_000);
    expect(h.client.count('getTask')).toBe(1);
    expect(h.loop.status()).toMatchObject({ state: 'running', inFlight: 1 });

    g.gates[0]!.resolve();
    await h.client.waitForCount('finishTask', 1);
    await h.clock.advance(1_000);
    await h.client.waitForCount('getTask', 2);
    expect(h.loop.status()).toMatchObject({ inFlight: 0, tasksDone: 1, tasksFailed: 0 });
    await h.stop();
  });

  it('runs up to `concurrency` tasks at once and polls for no more', async () => {
    const g = gatedHandler();
    const h = startLoop({ handlers: { grant: g.handler }, concurrency: 3, idlePollMs: 0 });
    h.client.enqueue(task('grant'), task('grant'), task('grant'), task('grant'));
    await eventually(() => g.gates.length === 3, 'three tasks');
    await settle();
    expect(h.client.count('getTask')).toBe(3);
    g.gates[1]!.resolve();
    await eventually(() => g.gates.length === 4, 'fourth task');
    expect(h.client.count('getTask')).toBe(4);
    g.gates.forEach((d) => d.resolve());
    await eventually(() => h.client.finishes().length === 4, 'four finishes');
    h.client.nextPollMs = 1_000;
    await h.stop();
  });

  it('waits the clamped next_poll before each poll, task or not', async () => {
    const h = startLoop();
    h.client.scriptGetTask(
      { nextPollMs: 1_234 },
      { nextPollMs: 3_600_000 },
      { nextPollMs: -5 },
      { nextPollMs: Number.NaN },
      { task: task('none'), nextPollMs: 700 },
    );
    await h.client.waitForCount('getTask', 1);
    await h.clock.advance(1_234);
    await h.clock.advance(300_000);
    await h.client.waitForCount('getTask', 5);
    await h.clock.waitForSleepers(1);
    expect(h.clock.sleeps).toEqual([1_234, 300_000, 700]);
    expect(h.client.finishes()).toEqual([]);
    await h.stop();
  });

  it('backs off min(n², 60) seconds after GetTask errors and resets after a success', async () => {
    const h = startLoop({ idlePollMs: 500 });
    h.client.failNext('getTask', new Error('unavailable'), 9);
    for (let i = 1; i <= 9; i++) {
      await h.clock.waitForSleepers(1);
      await h.clock.advance(h.clock.sleeps.at(-1)!);
    }
    await h.client.waitForCount('getTask', 10);
    await h.clock.waitForSleepers(1);
    h.client.failNext('getTask', new Error('unavailable again'));
    await h.clock.advance(500);
    await h.clock.waitForSleepers(1);
    expect(h.clock.sleeps).toEqual([
      1_000, 4_000, 9_000, 16_000, 25_000, 36_000, 49_000, 60_000, 60_000, 500, 1_000,
    ]);
    expect(h.metricEvents.filter((e) => e === 'getTaskFailed')).toHaveLength(10);
    await h.stop();
  });
});

describe('TaskLoop finishing', () => {
  it('finishes a success once, on its own 30 s deadline, with the response and annotations', async () => {
    const marker = { '@type': `${T}GrantAlreadyExists` as const };
    const response = { '@type': `${T}GrantManagerServiceGrantResponse` as const, annotations: [marker] };
    const h = startLoop({
      handlers: {
        grant: {
          classify: () => true,
          run: async () => ({ kind: 'finish', response, annotations: [marker] }),
        },
      },
    });
    const t = task('grant');
    h.client.enqueue(t);
    await h.client.waitForCount('finishTask', 1);
    expect(h.client.finishes()).toEqual([
      {
        method: 'finishTask',
        taskId: t.id,
        result: { kind: 'success', response, annotations: [marker] },
        timeoutMs: FINISH_TASK_TIMEOUT_MS,
        isSignalAborted: false,
      },
    ]);
    await h.stop();
    expect(h.client.finishes()).toHaveLength(1);
    const ended = h.sink.lines.find((l) => l.msg === 'task finished');
    expect(ended).toMatchObject({ taskId: t.id, taskType: 'grant', durationMs: 0 });
    expect(h.metricEvents).toEqual(['start:grant', 'end:grant:success']);
  });

  it('finishes a thrown error with its code and the handler verdict', async () => {
    const h = startLoop({
      handlers: {
        grant: {
          classify: (err) => err instanceof Error && err.message.includes('malformed'),
          run: async () => {
            throw invalidArgument('baton-fivetran: malformed grant task: missing entitlement');
          },
        },
      },
    });
    const t = task('grant');
    h.client.enqueue(t);
    await h.client.waitForCount('finishTask', 1);
    expect(h.client.finishes()[0]?.result).toEqual({
      kind: 'error',
      status: {
        code: Code.INVALID_ARGUMENT,
        message: 'baton-fivetran: malformed grant task: missing entitlement',
      },
      nonRetryable: true,
    });
    expect(h.sink.lines.find((l) => l.msg === 'task failed')).toMatchObject({
      level: 50,
      taskId: t.id,
      taskType: 'grant',
      grpcCode: 3,
    });
    await h.stop();
    expect(h.loop.status()).toMatchObject({ state: 'stopped', tasksDone: 0, tasksFailed: 1 });
  });

  it.each(['eventFeed', 'createSyncDiff', 'unknown', 'syncFull'] as const)(
    'finishes an unsupported %s task as retryable UNKNOWN',
    async (kind) => {
      const h = startLoop();
      const t = task(kind);
      h.client.enqueue(t);
      await h.client.waitForCount('finishTask', 1);
      expect(h.client.finishes()[0]).toMatchObject({
        taskId: t.id,
        result: { kind: 'error', status: { code: 2, message: 'unsupported task type' }, nonRetryable: false },
      });
      await h.stop();
    },
  );

  it.each(['createResource', 'rotateCredentials', 'issueCredential'] as const)(
    'finishes %s as UNIMPLEMENTED, non-retryable, since the SDK has a handler for it',
    async (kind) => {
      const h = startLoop({ handlers: createTaskHandlers(stubDeps) });
      const t = task(kind);
      h.client.enqueue(t);
      await h.client.waitForCount('finishTask', 1);
      expect(h.client.finishes()[0]).toMatchObject({
        taskId: t.id,
        result: { kind: 'error', status: { code: Code.UNIMPLEMENTED }, nonRetryable: true },
      });
      await h.stop();
    },
  );

  it('still sends exactly one FinishTask when classify or a metrics hook throws', async () => {
    const h = startLoop({
      handlers: {
        grant: {
          classify: () => {
            throw new Error('classify bug');
          },
          run: () => Promise.reject(invalidArgument('bad grant')),
        },
      },
      metrics: {
        taskEnded: () => {
          throw new Error('metrics bug');
        },
      },
    });
    const t = task('grant');
    h.client.enqueue(t);
    await h.client.waitForCount('finishTask', 1);
    await h.stop();
    expect(h.client.finishes(t.id)).toEqual([
      expect.objectContaining({ result: expect.objectContaining({ kind: 'error', nonRetryable: false }) }),
    ]);
  });

  it('answers a hello task with Hello carrying its id and sends no FinishTask', async () => {
    const h = startLoop({ handlers: { hello: hello() } });
    const t = task('hello');
    h.client.scriptGetTask({ task: t, nextPollMs: 0 }, { task: task('eventFeed'), nextPollMs: 0 });
    await h.client.waitForCount('finishTask', 1);
    await h.stop();
    expect(h.client.calls.filter((c) => c.method === 'hello')).toEqual([{ method: 'hello', taskId: t.id }]);
    expect(h.client.finishes(t.id)).toEqual([]);
    expect(h.loop.status().tasksDone).toBe(1);
  });

  it('retries a failed FinishTask after 1 s and 2 s and reports nothing failed once it is acknowledged', async () => {
    const h = startLoop({
      handlers: { grant: { classify: () => false, run: async () => ({ kind: 'finish' }) } },
    });
    h.client.failNext('finishTask', new Error('connection reset'), 2);
    const t = task('grant');
    h.client.enqueue(t);
    await h.client.waitForCount('finishTask', 1);
    await h.clock.advance(1_000);
    await h.client.waitForCount('finishTask', 2);
    await h.clock.advance(2_000);
    await h.client.waitForCount('finishTask', 3);
    await h.stop();
    expect(h.client.finishes(t.id).map((f) => f.result)).toEqual([
      { kind: 'success' },
      { kind: 'success' },
      { kind: 'success' },
    ]);
    expect(h.sink.lines.filter((l) => l.msg === 'FinishTask failed; retrying').map((l) => l.waitMs)).toEqual([
      1_000, 2_000,
    ]);
    expect(h.sink.lines.filter((l) => l.msg === 'FinishTask failed')).toEqual([]);
    expect(h.metricEvents).not.toContain('finishFailed:grant');
  });

  it('sends exactly one FinishTask per task under concurrency', async () => {
    let n = 0;
    const h = startLoop({
      concurrency: 3,
      idlePollMs: 0,
      handlers: {
        grant: {
          classify: () => true,
          run: async () => {
            const i = n++;
            await settle(i % 4);
            if (i % 3 === 2) throw new Error('every third fails');
            return { kind: 'finish' };
          },
        },
      },
    });
    const tasks = Array.from({ length: 12 }, () => task('grant'));
    h.client.enqueue(...tasks, task('eventFeed'));
    await eventually(() => h.client.finishes().length === 13, '13 finishes');
    h.client.nextPollMs = 1_000;
    await h.stop();
    for (const t of tasks) expect(h.client.finishes(t.id)).toHaveLength(1);
    expect(h.client.finishes()).toHaveLength(13);
    expect(h.loop.status()).toEqual({ state: 'stopped', inFlight: 0, tasksDone: 8, tasksFailed: 5 });
  });

  it('refuses a concurrency outside 1..n', () => {
    const o = { client: new MemoryBatonClient(), handlers: {}, clock: new FakeClock(), log: logSink().log };
    expect(() => new TaskLoop({ ...o, concurrency: 0, shutdownGraceMs: 0 })).toThrow(RangeError);
  });
});
