import type { AnyMessage, Grant, ListRequest, Page, Resource } from '../connector/index.js';
import { annotations, hasAnnotation, resourceKey, withoutAnnotation } from '../connector/index.js';
import { paginate } from './paginate.js';
import { ResourceLru } from './resource-lru.js';
import { hasResourceId, skipsGrants } from './resource-rules.js';
import { runPool } from './run-pool.js';
import { storedResources } from './stored-resources.js';
import { entitlementJobs, type ListingJob } from './sync-entitlements.js';
import type { SyncContext } from './sync-context.js';

/**
 * Lists the entitlements and grants of every stored resource in one pool of `concurrency` listings, taking
 * an entitlement listing and a grant listing in turn, so that entitlement work (often no call at all) runs
 * while grant calls wait on the network instead of before them. Grants are stored with each principal
 * replaced by the stored full resource; grants pointing at resources the sync did not see are dropped, not
 * invented. Without `withGrants`, only the entitlements.
 */
export async function syncEntitlementsAndGrants(
  ctx: SyncContext,
  o: { readonly withGrants: boolean },
): Promise<void> {
  const jobs = o.withGrants ? alternate(grantJobs(ctx), entitlementJobs(ctx)) : entitlementJobs(ctx);
  await runPool(jobs, ctx.options.concurrency, ctx.signal, (job, signal, handOff) =>
    job.run(signal, handOff),
  );
  // Only this phase drops grants in a whole sync, so the sync's counts are this phase's.
  const {
    grantsWithUnknownPrincipal: unknownPrincipal,
    grantsWithUnknownResource: unknownResource,
    invalidGrants: invalid,
  } = ctx.tally.dropped;
  if (unknownPrincipal + unknownResource + invalid > 0) {
    ctx.log.warn(
      { unknownPrincipal, unknownResource, invalid },
      'dropped grants whose principal or resource was not synced, or with empty ids',
    );
  }
}

/** Items of `a` and `b` in turn, then the rest of whichever lasts longer. */
async function* alternate<T>(a: AsyncIterator<T>, b: AsyncIterator<T>): AsyncGenerator<T> {
  const sources = [a, b];
  try {
    while (sources.length > 0) {
      for (const source of [...sources]) {
        const next = await source.next();
        if (next.done) sources.splice(sources.indexOf(source), 1);
        else yield next.value;
      }
    }
  } finally {
    await Promise.all(sources.map((s) => s.return?.()));
  }
}

/**
 * The grant listings as pool jobs (one `ResourceLru` shared by them): every `typeGrants` walk first, so a
 * long one-listing walk runs beside the per-resource ones instead of after them.
 */
async function* grantJobs(ctx: SyncContext): AsyncGenerator<ListingJob> {
  const resources = new ResourceLru(ctx.store);
  for await (const listing of grantListings(ctx)) {
    yield { run: (signal, handOff) => writeGrantPages(ctx, resources, listing, signal, handOff) };
  }
}

interface GrantListing {
  readonly what: string;
  readonly fetch: (req: ListRequest) => Promise<Page<Grant>>;
  readonly checkResourceSkips: boolean;
}

/** The grant listings of a sync: every `typeGrants` walk first, then each stored resource's, type by type. */
async function* grantListings(ctx: SyncContext): AsyncGenerator<GrantListing> {
  // Every resource is stored before grants are listed, so connectors can size optional scans.
  const resourceCount = (typeId: string) => ctx.tally.count(typeId, 'resources');
  const types = [...ctx.types].filter(([, type]) => !skipsGrants(type));
  for (const [typeId] of types) {
    const syncer = ctx.registry.syncer(typeId);
    if (syncer.typeGrants) {
      const fetch = (req: ListRequest) => syncer.typeGrants!({ ...req, resourceCount });
      yield { what: `listing grants for type ${typeId}`, fetch, checkResourceSkips: true };
    }
  }
  for (const [typeId, type] of types) {
    const syncer = ctx.registry.syncer(typeId);
    if (syncer.typeGrants) continue;
    for await (const resource of storedResources(ctx.store, typeId, ctx.options.pageSize)) {
      if (skipsGrants(type, resource)) continue;
      const fetch = (req: ListRequest) => syncer.grants(resource, { ...req, resourceCount });
      yield {
        what: `listing grants for resource ${resourceKey(resource.id)}`,
        fetch,
        checkResourceSkips: false,
      };
    }
  }
}

async function writeGrantPages(
  ctx: SyncContext,
  resources: ResourceLru,
  { what, fetch, checkResourceSkips }: GrantListing,
  signal: AbortSignal,
  onLastPage: () => void,
): Promise<void> {
  for await (const page of paginate(what, ctx.options, signal, fetch, (g) => g.id, { onLastPage })) {
    const insert = hasAnnotation(page.annotations, 'InsertResourceGrants');
    if (insert) insertEntitlementResources(ctx, resources, page.items);
    const kept: Grant[] = [];
    for (const g of page.items) {
      const grant = prepareGrant(ctx, g, insert, checkResourceSkips, resources);
      if (grant) kept.push(grant);
    }
    ctx.store.putGrants(kept);
    ctx.tally.addAll('grants', 'grants', kept, (g) => g.entitlement.resource.id.resourceType);
  }
}

/** `InsertResourceGrants`: the page's entitlement resources are stored as resources too. */
function insertEntitlementResources(ctx: SyncContext, lru: ResourceLru, grants: readonly Grant[]): void {
  const byKey = new Map<string, Resource>();
  for (const g of grants) {
    const r = g.entitlement?.resource;
    if (hasResourceId(r)) byKey.set(resourceKey(r.id), r);
  }
  const resources = [...byKey.values()];
  ctx.store.putResources(resources);
  for (const r of resources) lru.forget(r.id);
  ctx.tally.addAll('grants', 'resources', resources, (r) => r.id.resourceType);
}

function prepareGrant(
  ctx: SyncContext,
  g: Grant,
  insert: boolean,
  checkResourceSkips: boolean,
  resources: ResourceLru,
): Grant | undefined {
  const { log, tally } = ctx;
  if (!isCompleteGrant(ctx, g)) return undefined;
  const resource = resources.get(g.entitlement.resource.id);
  if (!resource) {
    tally.dropped.grantsWithUnknownResource++;
    log.debug(
      { grantId: g.id, resourceId: resourceKey(g.entitlement.resource.id) },
      'dropped a grant whose entitlement resource was not synced',
    );
    return undefined;
  }
  if (checkResourceSkips && skipsGrants(undefined, resource)) return undefined;
  // Principals are many and each is named by few grants: the store's stand-in (when it has one) saves
  // decoding every one; entitlement resources are few and named by many, so they go through the LRU.
  const principal = ctx.store.getPrincipalRef
    ? ctx.store.getPrincipalRef(g.principal.id)
    : resources.get(g.principal.id);
  if (!principal) {
    tally.dropped.grantsWithUnknownPrincipal++;
    log.debug(
      { grantId: g.id, resourceId: resourceKey(g.principal.id) },
      'dropped a grant whose principal was not synced',
    );
    return undefined;
  }
  return storedGrant(g, principal, insert);
}

/** Whether a listed grant names all it must; one that does not is counted and logged as dropped. */
export function isCompleteGrant(ctx: SyncContext, g: Grant): boolean {
  if (g.id && g.entitlement?.id && hasResourceId(g.entitlement.resource) && hasResourceId(g.principal)) {
    return true;
  }
  ctx.tally.dropped.invalidGrants++;
  ctx.log.debug({ grantId: g.id }, 'dropped a grant with an empty id, entitlement, resource or principal');
  return false;
}

/** The grant as stored: with `principal`, and on an `InsertResourceGrants` page that annotation once. */
export function storedGrant(g: Grant, principal: Resource, insert: boolean): Grant {
  const grantAnnotations: AnyMessage[] | undefined = insert
    ? [...withoutAnnotation(g.annotations, 'InsertResourceGrants'), annotations.insertResourceGrants()]
    : g.annotations && [...g.annotations];
  return { ...g, principal, ...(grantAnnotations ? { annotations: grantAnnotations } : {}) };
}
