import { failedPrecondition } from '../connector/index.js';
import type { CreateAccountResult } from '../connector/index.js';
import { classifyProvisioning, assertProvisioningEnabled, finishWith } from './provisioning.js';
import { readAccountInfo, readOptionalString } from './task-payload.js';
import type { TaskContext, TaskHandler, TaskOutcome, TaskPayload } from './task-context.js';
import type { TaskDeps } from './task-deps.js';

type CreateAccountContext = Pick<TaskContext, 'signal' | 'log'>;
type CreateAccountDeps = Pick<TaskDeps, 'registry' | 'provisioningEnabled'>;

const TASK = 'create account';

/** Any connector error is non-retryable (control-plane.md §4.8). */
export const classify = classifyProvisioning;

/** The CreateAccountResponse oneof case for a connector result (connector-model.md §6.3). */
export function createAccountResult(r: CreateAccountResult): Record<string, unknown> {
  const resource = r.resource ? { resource: r.resource } : {};
  switch (r.kind) {
    case 'success':
      return { success: { ...resource, isCreateAccountResult: true } };
    case 'already_exists':
      return { alreadyExists: { ...resource, isCreateAccountResult: true } };
    case 'action_required':
      return { actionRequired: { ...resource, message: r.message, isCreateAccountResult: true } };
    case 'in_progress':
      return { inProgress: { ...resource, isCreateAccountResult: true } };
  }
}

/** Creates an account of the task's resource type, else the connector's only account type. */
export function createAccount(deps: CreateAccountDeps): TaskHandler {
  return {
    classify,
    async run(payload: TaskPayload, ctx: CreateAccountContext): Promise<TaskOutcome> {
      const info = readAccountInfo(TASK, payload.accountInfo, 'account_info');
      const requestedType = readOptionalString(TASK, payload.resourceTypeId, 'resource_type_id');
      assertProvisioningEnabled(deps);

      const typeId = requestedType ?? deps.registry.defaultAccountManagerType();
      if (!typeId) {
        throw failedPrecondition('baton-fivetran: create account: no resource type given and no default');
      }
      const res = await deps.registry.accountManager(typeId).createAccount(info, { signal: ctx.signal });
      ctx.log.info(
        { resourceType: typeId, resourceId: res.resource?.id.resource, result: res.kind },
        'account created',
      );
      return finishWith('CreateAccountResponse', createAccountResult(res), []);
    },
  };
}
