import { classifyProvisioning, assertProvisioningEnabled, finishWith, withMarker } from './provisioning.js';
import { readEntitlement, readResource } from './task-payload.js';
import type { TaskContext, TaskHandler, TaskOutcome, TaskPayload } from './task-context.js';
import type { TaskDeps } from './task-deps.js';

type GrantContext = Pick<TaskContext, 'signal' | 'log'>;
type GrantDeps = Pick<TaskDeps, 'registry' | 'provisioningEnabled'>;

const TASK = 'grant';

/** Any connector error is non-retryable (control-plane.md §4.8). */
export const classify = classifyProvisioning;

/** Grants `entitlement` to `principal`; reports "already held" as GrantAlreadyExists. */
export function grant(deps: GrantDeps): TaskHandler {
  return {
    classify,
    async run(payload: TaskPayload, ctx: GrantContext): Promise<TaskOutcome> {
      const entitlement = readEntitlement(TASK, payload.entitlement, 'entitlement');
      const principal = readResource(TASK, payload.principal, 'principal');
      assertProvisioningEnabled(deps);

      const provisioner = deps.registry.provisioner(entitlement.resource.id.resourceType);
      const res = await provisioner.grant(principal, entitlement, { signal: ctx.signal });
      ctx.log.info(
        { resourceId: principal.id.resource, alreadyExists: Boolean(res.alreadyExists) },
        'grant applied',
      );
      const annotations = withMarker(res.annotations, 'GrantAlreadyExists', res.alreadyExists);
      return finishWith('GrantManagerServiceGrantResponse', { grants: [...(res.grants ?? [])] }, annotations);
    },
  };
}
