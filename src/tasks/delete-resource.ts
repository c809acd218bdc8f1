import { classifyProvisioning, assertProvisioningEnabled, finishWith, withMarker } from './provisioning.js';
import { readResourceId } from './task-payload.js';
import type { TaskContext, TaskHandler, TaskOutcome, TaskPayload } from './task-context.js';
import type { TaskDeps } from './task-deps.js';

type DeleteContext = Pick<TaskContext, 'signal' | 'log'>;
type DeleteDeps = Pick<TaskDeps, 'registry' | 'provisioningEnabled'>;

const TASK = 'delete resource';

// An absent message, or one decoded with defaults and nothing set.
const isUnset = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  (typeof v === 'object' &&
    !(v as { resourceType?: unknown }).resourceType &&
    !(v as { resource?: unknown }).resource);

/** Any connector error is non-retryable (control-plane.md §4.8). */
export const classify = classifyProvisioning;

/** Deletes a resource; reports "already gone" as ResourceDoesNotExist. */
export function deleteResource(deps: DeleteDeps): TaskHandler {
  return {
    classify,
    async run(payload: TaskPayload, ctx: DeleteContext): Promise<TaskOutcome> {
      const id = readResourceId(TASK, payload.resourceId, 'resource_id');
      const parent = isUnset(payload.parentResourceId)
        ? undefined
        : readResourceId(TASK, payload.parentResourceId, 'parent_resource_id');
      assertProvisioningEnabled(deps);

      const deleter = deps.registry.deleter(id.resourceType);
      const res = await deleter.deleteResource(id, parent, { signal: ctx.signal });
      ctx.log.info(
        {
          resourceType: id.resourceType,
          resourceId: id.resource,
          alreadyDeleted: Boolean(res.alreadyDeleted),
        },
        'resource deleted',
      );
      const annotations = withMarker([], 'ResourceDoesNotExist', res.alreadyDeleted);
      return finishWith('DeleteResourceResponse', {}, annotations);
    },
  };
}
