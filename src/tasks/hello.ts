import type { TaskContext, TaskHandler, TaskOutcome } from './task-context.js';

type HelloContext = Pick<TaskContext, 'hello' | 'log'>;

/** Nothing a hello task does is reported to C1. */
export const classify = (_err: unknown): boolean => false;

/** Answers with a Hello carrying the task id and no FinishTask; a failure is only logged (§5.1). */
export function hello(): TaskHandler {
  return {
    classify,
    async run(_payload: unknown, ctx: HelloContext): Promise<TaskOutcome> {
      try {
        await ctx.hello();
        ctx.log.info('hello task answered');
      } catch (err) {
        ctx.log.warn({ err }, 'hello task failed, the control plane will ask again');
      }
      return { kind: 'no-finish' };
    },
  };
}
