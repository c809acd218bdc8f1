import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock, ConnectorRegistry, ResourceType } from '../connector/index.js';
import { resourceKey, systemClock } from '../connector/index.js';
import { expandGrants } from './expand-grants.js';
import type { SyncStore, SyncType } from '../connector/index.js';
import type { SyncContext } from './sync-context.js';
import { syncResourcesEntitlementsAndGrants } from './sync-grants.js';
import { syncTargets } from './sync-targets.js';
import type { SyncOptions } from './sync-options.js';
import { compileSyncOptions } from './sync-options.js';
import type { SyncProgress, SyncSummary } from './sync-tally.js';
import { SyncTally } from './sync-tally.js';
import { walkResources } from './walk-resources.js';

export interface RunSyncArgs {
  readonly registry: ConnectorRegistry;
  /** Already created; the caller finishes or aborts it. */
  readonly store: SyncStore;
  readonly options?: SyncOptions;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly progress?: SyncProgress;
  /** Resources whose entitlements or grants are listed at the same time (default 4). */
  readonly concurrency?: number;
  /** Grants fetched before every resource is listed that may wait unstored (default `MAX_HELD_GRANTS`). */
  readonly maxHeldGrants?: number;
}

/**
 * One full sync into `store`: validate → start → resource types → resources (with children) → entitlements →
 * grants → grant expansion → supports_diff → end (connector-model §8). With targeted resources it is a
 * `partial` sync instead: validate → start → resource types → the targets (`syncTargets`) → end.
 */
export async function runSync(args: RunSyncArgs): Promise<SyncSummary> {
  const { registry, store, signal, clock = systemClock } = args;
  const options = compileSyncOptions(args.options ?? {}, args.concurrency);
  const startedMs = clock.now();
  signal.throwIfAborted();
  await Promise.all([registry.connector.validate({ signal }), prepareStore(store)]);
  signal.throwIfAborted();

  const syncType: SyncType = options.targets
    ? 'partial'
    : options.skipEntitlementsAndGrants
      ? 'resources_only'
      : 'full';
  const syncId = store.startSync(syncType);
  const log = args.log.child({ syncId });
  log.info(
    {
      syncType,
      options: {
        ...options,
        resourceTypeIds: options.resourceTypeIds && [...options.resourceTypeIds],
        targets: options.targets?.map((t) => resourceKey(t.id)),
      },
    },
    'sync started',
  );
  const tally = new SyncTally(args.progress);
  const types = selectTypes(registry, options.resourceTypeIds, log);
  const ctx: SyncContext = { registry, store, options, types, signal, log, tally };

  store.putResourceTypes([...types.values()]);
  tally.resourceTypes = types.size;
  // A partial sync has only the targets: no listing of whole types, no grant expansion, no supports_diff.
  if (options.targets) await syncTargets(ctx);
  else if (options.skipEntitlementsAndGrants) await walkResources(ctx);
  else {
    await syncResourcesEntitlementsAndGrants(ctx, {
      withGrants: !options.skipGrants,
      ...(args.maxHeldGrants !== undefined ? { maxHeldGrants: args.maxHeldGrants } : {}),
    });
    if (!options.skipExpandGrants) {
      const r = await expandGrants({
        store,
        signal,
        log,
        batchSize: options.pageSize,
        onGrants: (typeId, n) => {
          tally.expandedGrants += n;
          tally.add('expand-grants', typeId, 'grants', n);
        },
      });
      tally.dropped.expansionEdges += r.droppedEdges;
      log.info({ ...r }, 'grants expanded');
    }
    // The expansion columns are filled whether or not we expanded (C1 may expand itself).
    store.markSupportsDiff();
  }
  signal.throwIfAborted();
  store.endSync();
  const summary = tally.summary(syncId, syncType, clock.now() - startedMs);
  log.info(
    { durationMs: summary.durationMs, totals: summary.totals, dropped: summary.dropped },
    'sync finished',
  );
  return summary;
}

/** `store.prepare()` once the loop has turned: the validation call it overlaps is on the wire by then. */
async function prepareStore(store: SyncStore): Promise<void> {
  if (!store.prepare) return;
  await yieldToLoop();
  store.prepare();
}

function selectTypes(
  registry: ConnectorRegistry,
  filter: ReadonlySet<string> | undefined,
  log: Logger,
): Map<string, ResourceType> {
  const all = registry.resourceTypes().filter((t) => t.id !== '');
  for (const id of filter ?? []) {
    if (!registry.syncers.has(id))
      log.warn({ resourceType: id }, 'sync filter names an unknown resource type');
  }
  return new Map(all.filter((t) => !filter || filter.has(t.id)).map((t) => [t.id, t]));
}
