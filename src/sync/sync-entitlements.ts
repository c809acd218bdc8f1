import type { Entitlement, ListRequest, Resource } from '../connector/index.js';
import { resourceKey } from '../connector/index.js';
import { paginate } from './paginate.js';
import { hasResourceId, skipsEntitlements } from './resource-rules.js';
import type { SlotControl } from './run-pool.js';
import { storedResources } from './stored-resources.js';
import type { SyncContext } from './sync-context.js';

/** One unit of listing work for a pool: it runs with the pool's signal and may hand its slot on early. */
export interface ListingJob {
  run(signal: AbortSignal, slot: SlotControl): Promise<void>;
}

/**
 * A job per stored resource whose entitlements are listed (types and resources skipping them left out):
 * the resources stored when it is called, not those grant pages insert while the jobs run.
 */
export function entitlementJobs(ctx: SyncContext): AsyncGenerator<ListingJob> {
  const lastRowIds = new Map([...ctx.types.keys()].map((id) => [id, ctx.store.lastResourceRowId(id)]));
  return jobsUpTo(ctx, lastRowIds);
}

async function* jobsUpTo(
  ctx: SyncContext,
  lastRowIds: ReadonlyMap<string, number>,
): AsyncGenerator<ListingJob> {
  for (const [typeId, type] of ctx.types) {
    if (skipsEntitlements(type)) continue;
    const syncer = ctx.registry.syncer(typeId);
    const untilRowId = lastRowIds.get(typeId) ?? 0;
    for await (const { value: resource } of storedResources(ctx.store, typeId, ctx.options.pageSize, {
      untilRowId,
    })) {
      if (skipsEntitlements(type, resource)) continue;
      const fetch = (req: ListRequest) => syncer.entitlements(resource, req);
      yield { run: (signal, slot) => resourceEntitlements(ctx, resource, signal, fetch, slot.handOff) };
    }
  }
}

/** Pages through one resource's entitlements into the store. */
export async function resourceEntitlements(
  ctx: SyncContext,
  resource: Resource,
  signal: AbortSignal,
  fetch: Parameters<typeof paginate<Entitlement>>[3],
  onLastPage?: () => void,
): Promise<void> {
  const key = resourceKey(resource.id);
  const what = `listing entitlements for resource ${key}`;
  for await (const page of paginate(what, ctx.options, signal, fetch, (e) => e.id, { onLastPage })) {
    const kept = page.items.filter((e) => !!e.id && hasResourceId(e.resource));
    if (kept.length < page.items.length) {
      ctx.tally.dropped.entitlements += page.items.length - kept.length;
      ctx.log.debug(
        { resourceId: key, count: page.items.length - kept.length },
        'dropped entitlements with an empty id or no resource',
      );
    }
    ctx.store.putEntitlements(kept);
    ctx.tally.addAll('entitlements', 'entitlements', kept, (e) => e.resource.id.resourceType);
  }
}
