import type { Entitlement, ListRequest, Resource } from '../connector/index.js';
import { resourceKey } from '../connector/index.js';
import { paginate } from './paginate.js';
import { hasResourceId, skipsEntitlements } from './resource-rules.js';
import { runPool } from './run-pool.js';
import { storedResources } from './stored-resources.js';
import type { SyncContext } from './sync-context.js';

/** Lists the entitlements of every stored resource not skipped, up to `concurrency` resources at a time. */
export async function syncEntitlements(ctx: SyncContext): Promise<void> {
  for (const [typeId, type] of ctx.types) {
    if (skipsEntitlements(type)) continue;
    const syncer = ctx.registry.syncer(typeId);
    const resources = storedResources(ctx.store, typeId, ctx.options.pageSize);
    await runPool(resources, ctx.options.concurrency, ctx.signal, async (resource, signal, handOff) => {
      if (skipsEntitlements(type, resource)) return;
      const fetch = (req: ListRequest) => syncer.entitlements(resource, req);
      await resourceEntitlements(ctx, resource, signal, fetch, handOff);
    });
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
