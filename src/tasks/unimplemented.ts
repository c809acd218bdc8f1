import { unimplemented as unimplementedError } from '../connector/index.js';
import type { TaskHandler } from './task-context.js';

/**
 * Task types the SDK has handlers for but this connector has no ability behind (create_resource,
 * rotate_credentials, issue_credential): the connector answers Unimplemented, and as with every provisioning
 * connector error the task is not retried (control-plane.md §4.7–4.8), unlike an unknown task type.
 */
export function unimplemented(what: string): TaskHandler {
  return {
    classify: () => true,
    run: () =>
      Promise.reject(unimplementedError(`baton-fivetran: ${what} is not supported by this connector`)),
  };
}
