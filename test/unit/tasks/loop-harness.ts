import { TaskLoop } from '../../../src/control-plane/task-loop.js';
import type { TaskLoopMetrics } from '../../../src/control-plane/task-loop.js';
import type { TaskContext, TaskHandler, TaskHandlers } from '../../../src/tasks/index.js';
import { MemoryBatonClient } from '../../fakes/memory-baton-client.js';
import { FakeClock, logSink } from './support.js';

export interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

export function deferred(): Deferred {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A handler whose runs wait on a gate (or the task signal) and record what they saw. */
export function gatedHandler(o: { nonRetryable?: boolean } = {}) {
  const gates: Deferred[] = [];
  const contexts: TaskContext[] = [];
  const handler: TaskHandler = {
    classify: () => o.nonRetryable ?? false,
    async run(_payload, ctx) {
      const gate = deferred();
      gates.push(gate);
      contexts.push(ctx);
      ctx.signal.throwIfAborted();
      let onAbort: () => void = () => {};
      try {
        await Promise.race([
          gate.promise,
          new Promise((_, reject) => {
            onAbort = () => reject(ctx.signal.reason);
            ctx.signal.addEventListener('abort', onAbort, { once: true });
          }),
        ]);
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
      }
      return { kind: 'finish' };
    },
  };
  return { handler, gates, contexts };
}

export function startLoop(
  o: {
    handlers?: TaskHandlers;
    concurrency?: number;
    shutdownGraceMs?: number;
    idlePollMs?: number;
    metrics?: TaskLoopMetrics;
    getTasks?: boolean;
    recentTasks?: { windowMs?: number; maxIds?: number };
  } = {},
) {
  const client = new MemoryBatonClient();
  client.nextPollMs = o.idlePollMs ?? 1_000;
  const clock = new FakeClock();
  const sink = logSink();
  const root = new AbortController();
  const metricEvents: string[] = [];
  const metrics: TaskLoopMetrics = {
    taskStarted: (t) => void metricEvents.push(`start:${t}`),
    taskEnded: (t, r) => void metricEvents.push(`end:${t}:${r}`),
    getTaskFailed: () => void metricEvents.push('getTaskFailed'),
    finishTaskFailed: (t) => void metricEvents.push(`finishFailed:${t}`),
    duplicateTask: (state) => void metricEvents.push(`duplicate:${state}`),
  };
  const loop = new TaskLoop({
    client,
    handlers: o.handlers ?? {},
    concurrency: o.concurrency ?? 1,
    clock,
    log: sink.log,
    metrics: o.metrics ?? metrics,
    shutdownGraceMs: o.shutdownGraceMs ?? 10_000,
    getTasks: o.getTasks ?? false,
    ...(o.recentTasks ? { recentTasks: o.recentTasks } : {}),
  });
  const done = loop.run(root.signal);
  const stop = async () => {
    root.abort(new Error('shutdown requested'));
    await done;
  };
  return { client, clock, sink, root, loop, done, stop, metricEvents };
}
