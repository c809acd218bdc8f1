import { failedPrecondition, hasAnnotation, typeUrl, V2 } from '../connector/index.js';
import type { AnyMessage } from '../connector/index.js';
import type { TaskOutcome } from './task-context.js';
import type { TaskDeps } from './task-deps.js';

// What grant, revoke, create_account and delete_resource share.

/** Success.annotations holds at most this many (baton.proto). */
export const MAX_SUCCESS_ANNOTATIONS = 16;

/** With provisioning off the connector is never called (control-plane.md §4.8). */
export function assertProvisioningEnabled(deps: Pick<TaskDeps, 'provisioningEnabled'>): void {
  if (!deps.provisioningEnabled) throw failedPrecondition('provisioning is not enabled');
}

/** Any provisioning failure is final for C1; aborts by the runtime are turned retryable by the loop. */
export const classifyProvisioning = (_err: unknown): boolean => true;

/** Adds an idempotency marker unless the connector already reported it. */
export function withMarker(
  list: readonly AnyMessage[] | undefined,
  name: string,
  isSet: boolean | undefined,
): AnyMessage[] {
  const out = [...(list ?? [])];
  if (isSet && !hasAnnotation(out, name)) out.push({ '@type': typeUrl(`${V2}.${name}`) });
  return out;
}

/** A success whose Success.annotations copy the response's own annotations. */
export function finishWith(
  messageName: string,
  fields: Readonly<Record<string, unknown>>,
  annotations: readonly AnyMessage[],
): TaskOutcome {
  return {
    kind: 'finish',
    response: { '@type': typeUrl(`${V2}.${messageName}`), annotations: [...annotations], ...fields },
    annotations: annotations.slice(0, MAX_SUCCESS_ANNOTATIONS),
  };
}
