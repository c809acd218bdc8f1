import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ListRequest, Resource, ResourceId, Slots } from '../connector/index.js';
import { findAnnotation, resourceKey } from '../connector/index.js';
import { paginate } from './paginate.js';
import { checkResource, hasResourceId } from './resource-rules.js';
import { runPool } from './run-pool.js';
import type { SyncContext } from './sync-context.js';
import type { WalkProgress } from './walk-progress.js';

const STORE_SLICE = 250;

/** One pending listing: plain and serializable, like the SDK's action stack entries. */
export interface ResourceListing {
  readonly resourceTypeId: string;
  readonly parent?: ResourceId;
}

/**
 * Lists every synced type's resources (or the listings in `from`), up to `concurrency` listings at a time,
 * and the child listings their `ChildResourceType` annotations ask for, each queued once its parent's page is
 * stored. (The SDK walks one listing at a time, children first; the set of rows stored is the same, and
 * the types' listings no longer wait for one another: a long user walk runs beside the short ones.)
 */
export async function walkResources(
  ctx: SyncContext,
  o: {
    readonly from?: readonly ResourceListing[];
    readonly slots?: Slots;
    readonly walk?: WalkProgress;
  } = {},
): Promise<void> {
  const pending: ResourceListing[] = [];
  const queue = (listings: readonly ResourceListing[]) => {
    for (const l of listings) o.walk?.queued(l.resourceTypeId);
    pending.push(...listings);
  };
  queue(o.from ?? [...ctx.types.keys()].map((resourceTypeId) => ({ resourceTypeId })));
  let running = 0;
  let wake: (() => void) | undefined;
  const settle = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // Ends when nothing is queued and no running listing can queue children any more.
  async function* listings(): AsyncGenerator<ResourceListing> {
    for (;;) {
      const next = pending.shift();
      if (next) {
        running++;
        yield next;
      } else if (running === 0) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  await runPool(listings(), o.slots ?? ctx.options.concurrency, ctx.signal, async (listing, signal, slot) => {
    try {
      queue(await listResources({ ...ctx, signal }, listing, slot.handOff));
    } finally {
      o.walk?.listed(listing.resourceTypeId);
      running--;
      settle();
    }
  });
}

async function listResources(
  ctx: SyncContext,
  listing: ResourceListing,
  onLastPage?: () => void,
): Promise<ResourceListing[]> {
  const { store, log, signal, tally } = ctx;
  const typeId = listing.resourceTypeId;
  // Every listing names a synced type: the types' own, and children `childListings` kept.
  const type = ctx.types.get(typeId)!;
  const syncer = ctx.registry.syncer(typeId);
  const what = `listing resources for type ${typeId}${listing.parent ? ` under ${resourceKey(listing.parent)}` : ''}`;
  const children: ResourceListing[] = [];
  const list = (req: ListRequest) => syncer.list(listing.parent, req);
  const pages = paginate(what, ctx.options, signal, list, (r) => (r.id ? resourceKey(r.id) : undefined), {
    onLastPage,
  });
  for await (const page of pages) {
    const kept: Resource[] = [];
    for (const r of page.items) {
      if (!hasResourceId(r)) {
        tally.dropped.resources++;
        log.debug({ resourceType: typeId }, 'dropped a resource with an empty id');
        continue;
      }
      checkResource(what, type, r);
      kept.push(r);
    }
    // A page of 1,000 users takes ~25 ms to store: in slices, so that calls of other listings (grant listings
    // during the walk) are answered and followed up in between rather than after it.
    for (let at = 0; at < kept.length; at += STORE_SLICE) {
      if (at > 0) {
        await yieldToLoop();
        signal.throwIfAborted();
      }
      store.putResources(kept.slice(at, at + STORE_SLICE));
    }
    tally.addAll('resources', 'resources', kept, (r) => r.id.resourceType);
    log.debug({ resourceType: typeId, count: kept.length }, 'stored a page of resources');
    for (const r of kept) children.push(...childListings(ctx, r));
  }
  return children;
}

export function childListings(ctx: SyncContext, parent: Resource): ResourceListing[] {
  const out: ResourceListing[] = [];
  for (const a of parent.annotations ?? []) {
    if (!findAnnotation([a], 'ChildResourceType')) continue;
    const childTypeId = typeof a['resourceTypeId'] === 'string' ? a['resourceTypeId'] : '';
    if (!ctx.types.has(childTypeId)) {
      if (!ctx.registry.syncers.has(childTypeId)) {
        ctx.log.warn(
          { resourceType: childTypeId, resourceId: resourceKey(parent.id) },
          'resource names a child resource type the connector does not have',
        );
      }
      continue;
    }
    out.push({ resourceTypeId: childTypeId, parent: parent.id });
  }
  return out;
}
