import { classifyProvisioning, assertProvisioningEnabled, finishWith, withMarker } from './provisioning.js';
import { readGrant } from './task-payload.js';
import type { TaskContext, TaskHandler, TaskOutcome, TaskPayload } from './task-context.js';
import type { TaskDeps } from './task-deps.js';

type RevokeContext = Pick<TaskContext, 'signal' | 'log'>;
type RevokeDeps = Pick<TaskDeps, 'registry' | 'provisioningEnabled'>;

const TASK = 'revoke';

/** Any connector error is non-retryable (control-plane.md §4.8). */
export const classify = classifyProvisioning;

/** Removes a grant; reports "already gone" as GrantAlreadyRevoked. */
export function revoke(deps: RevokeDeps): TaskHandler {
  return {
    classify,
    async run(payload: TaskPayload, ctx: RevokeContext): Promise<TaskOutcome> {
      const g = readGrant(TASK, payload.grant, 'grant');
      assertProvisioningEnabled(deps);

      const provisioner = deps.registry.provisioner(g.entitlement.resource.id.resourceType);
      const res = await provisioner.revoke(g, { signal: ctx.signal });
      ctx.log.info(
        { resourceId: g.principal.id.resource, alreadyRevoked: Boolean(res.alreadyRevoked) },
        'grant revoked',
      );
      const annotations = withMarker(res.annotations, 'GrantAlreadyRevoked', res.alreadyRevoked);
      return finishWith('GrantManagerServiceRevokeResponse', {}, annotations);
    },
  };
}
