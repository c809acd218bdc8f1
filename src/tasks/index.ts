import { createAccount } from './create-account.js';
import { deleteResource } from './delete-resource.js';
import { fullSync } from './full-sync.js';
import { grant } from './grant.js';
import { hello } from './hello.js';
import { revoke } from './revoke.js';
import { unimplemented } from './unimplemented.js';
import type { TaskHandler, TaskHandlers, TaskType } from './task-context.js';
import type { TaskDeps } from './task-deps.js';

export type {
  TaskContext,
  TaskHandler,
  TaskHandlers,
  TaskOutcome,
  TaskPayload,
  TaskType,
} from './task-context.js';
export type { OpenSyncStore, SyncEnded, SyncFileStore, TaskDeps } from './task-deps.js';
export { readSyncOptions } from './full-sync.js';
export { probeWritable, removeOwnTempFilesSync, removeStaleTempFiles } from './temp-files.js';
export { createAccount, deleteResource, fullSync, grant, hello, revoke };

/** The handler table, keyed by task-type oneof name. Adding a type is one file and one line here. */
export function createTaskHandlers(deps: TaskDeps): TaskHandlers {
  return {
    hello: hello(),
    syncFull: fullSync(deps),
    grant: grant(deps),
    revoke: revoke(deps),
    createAccount: createAccount(deps),
    deleteResource: deleteResource(deps),
    createResource: unimplemented('create resource'),
    rotateCredentials: unimplemented('rotate credentials'),
    issueCredential: unimplemented('issue credential'),
  } satisfies Record<TaskType, TaskHandler>;
}
