import { randomInt } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { C1zWriter } from '../c1z/index.js';
import { internal } from '../connector/index.js';
import { runSync } from '../sync/index.js';
import type { SyncOptions } from '../sync/index.js';
import {
  isMalformedTask,
  malformed,
  readOptionalBool,
  readOptionalStrings,
  readResource,
} from './task-payload.js';
import type { TaskContext, TaskHandler, TaskOutcome, TaskPayload } from './task-context.js';
import type { OpenSyncStore, SyncEnded, SyncFileStore, TaskDeps } from './task-deps.js';

type FullSyncDeps = Pick<
  TaskDeps,
  | 'registry'
  | 'tempDir'
  | 'syncConcurrency'
  | 'syncMaxPagesPerListing'
  | 'syncResourceTypeIds'
  | 'openSyncStore'
  | 'onSyncUploaded'
  | 'onSyncEnded'
>;

const TASK = 'sync';
export const TEMP_FILE_PREFIX = 'baton-sdk-sync-upload';

/**
 * Sync and upload failures are retryable (§4.8); a malformed payload is final. The SDK also treats an
 * ingest-invariant verdict as final; this engine runs no such post-sync invariants.
 */
export const classify = (err: unknown): boolean => isMalformedTask(err);

/** SyncFullTask options; the task's type filter wins over the local one. */
export function readSyncOptions(payload: TaskPayload, localTypeIds: readonly string[] = []): SyncOptions {
  const taskTypeIds = readOptionalStrings(TASK, payload.syncResourceTypeIds, 'sync_resource_type_ids');
  const resourceTypeIds = taskTypeIds.length > 0 ? taskTypeIds : [...localTypeIds];
  return {
    ...(resourceTypeIds.length > 0 ? { resourceTypeIds } : {}),
    skipEntitlementsAndGrants: readOptionalBool(
      TASK,
      payload.skipEntitlementsAndGrants,
      'skip_entitlements_and_grants',
    ),
    skipGrants: readOptionalBool(TASK, payload.skipGrants, 'skip_grants'),
    skipExpandGrants: readOptionalBool(TASK, payload.skipExpandGrants, 'skip_expand_grants'),
    ...targetedResources(payload.targetedSyncResources),
  };
}

/** `targeted_sync_resources`: each must name its resource type and id (the parent is optional). */
function targetedResources(v: unknown): Pick<SyncOptions, 'targetedResources'> {
  if (v === undefined || v === null) return {};
  if (!Array.isArray(v)) throw malformed(TASK, 'targeted_sync_resources is not a list');
  const resources = v.map((r, i) => readResource(TASK, r, `targeted_sync_resources[${i}]`));
  return resources.length > 0 ? { targetedResources: resources } : {};
}

const openC1zWriter: OpenSyncStore = (o) => C1zWriter.create(o);

/** Reserves `baton-sdk-sync-upload<digits>` in the temp dir, as the SDK's os.CreateTemp does. */
async function createTempFile(tempDir: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const path = join(tempDir, `${TEMP_FILE_PREFIX}${randomInt(0, 2 ** 32)}`);
    try {
      await (await open(path, 'wx', 0o600)).close();
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 10) {
        throw internal(`baton-fivetran: create sync temp file in ${tempDir}: ${String(err)}`, { cause: err });
      }
    }
  }
}

/**
 * Heartbeats, syncs into a temporary c1z, uploads it and finishes with no response. The temp file is
 * removed on every path; a failed or cancelled sync is never uploaded.
 */
export function fullSync(deps: FullSyncDeps): TaskHandler {
  const openStore = deps.openSyncStore ?? openC1zWriter;
  return {
    classify,
    async run(payload: TaskPayload, ctx: TaskContext): Promise<TaskOutcome> {
      const options = {
        ...readSyncOptions(payload, deps.syncResourceTypeIds),
        ...(deps.syncMaxPagesPerListing ? { maxPagesPerListing: deps.syncMaxPagesPerListing } : {}),
      };
      const { signal, log, clock } = ctx;
      // Temp file first, then the initial heartbeat (control-plane.md §5.2 steps 1-2).
      const path = await createTempFile(deps.tempDir);
      try {
        await ctx.startHeartbeats();
      } catch (err) {
        await rm(path, { force: true });
        throw err;
      }
      let store: SyncFileStore | undefined;
      let isFinished = false;
      const syncStartedMs = clock.now();
      let c1zBytes: number | undefined;
      let upload: SyncEnded['upload'];
      const ended = (outcome: SyncEnded['outcome']) =>
        deps.onSyncEnded?.({
          outcome,
          durationMs: clock.now() - syncStartedMs,
          ...(c1zBytes !== undefined ? { c1zBytes } : {}),
          ...(upload ? { upload } : {}),
        });
      try {
        store = await openStore({ path, tempDir: deps.tempDir, clock });
        const summary = await runSync({
          registry: deps.registry,
          store,
          options,
          signal,
          log,
          clock,
          ...(deps.syncConcurrency ? { concurrency: deps.syncConcurrency } : {}),
        });
        signal.throwIfAborted();
        await store.finish(signal);
        isFinished = true;
        signal.throwIfAborted();
        c1zBytes = (await stat(path)).size;
        const startedMs = clock.now();
        try {
          await ctx.upload(path);
        } catch (err) {
          upload = { ok: false, durationMs: clock.now() - startedMs };
          throw err;
        }
        upload = { ok: true, durationMs: clock.now() - startedMs };
        log.info({ syncId: summary.syncId, durationMs: upload.durationMs, c1zBytes }, 'sync uploaded');
        deps.onSyncUploaded?.(summary);
        ended('success');
        return { kind: 'finish' };
      } catch (err) {
        ended(signal.aborted ? 'cancelled' : 'error');
        throw err;
      } finally {
        if (store && !isFinished) await discard(store, log);
        await rm(path, { force: true }).catch((err: unknown) =>
          log.warn({ err }, 'could not remove the sync temp file'),
        );
      }
    },
  };
}

async function discard(store: SyncFileStore, log: TaskContext['log']): Promise<void> {
  try {
    await store.abort();
  } catch (err) {
    log.warn({ err }, 'could not discard the sync working files');
  }
}
