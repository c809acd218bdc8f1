import type { AnyMessage, Grant, ListRequest, Page, Resource } from '../connector/index.js';
import { annotations, hasAnnotation, resourceKey, withoutAnnotation } from '../connector/index.js';
import { paginate } from './paginate.js';
import { ResourceLru } from './resource-lru.js';
import { hasResourceId, skipsGrants } from './resource-rules.js';
import { runPool } from './run-pool.js';
import { storedResources } from './stored-resources.js';
import type { SyncContext } from './sync-context.js';

/**
 * Lists grants per stored resource (or in one `typeGrants` pass when the syncer has it) and stores them with
 * each principal replaced by the stored full resource. Grants pointing at resources the sync did not see are
 * dropped, not invented.
 */
export async function syncGrants(ctx: SyncContext): Promise<void> {
  const before = { ...ctx.tally.dropped };
  const resources = new ResourceLru(ctx.store);
  // One pool for every listing, so a long one-listing walk (`typeGrants`) runs beside the per-resource ones
  // instead of after them, and no type waits for the previous type's last listing.
  await runPool(grantListings(ctx), ctx.options.concurrency, ctx.signal, async (job, signal, handOff) => {
    const fetch = job.fetch;
    await writeGrantPages(ctx, resources, job.what, signal, fetch, job.checkResourceSkips, handOff);
  });
  const d = ctx.tally.dropped;
  const unknownPrincipal = d.grantsWithUnknownPrincipal - before.grantsWithUnknownPrincipal;
  const unknownResource = d.grantsWithUnknownResource - before.grantsWithUnknownResource;
  const invalid = d.invalidGrants - before.invalidGrants;
  if (unknownPrincipal + unknownResource + invalid > 0) {
    ctx.log.warn(
      { unknownPrincipal, unknownResource, invalid },
      'dropped grants whose principal or resource was not synced, or with empty ids',
    );
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
  what: string,
  signal: AbortSignal,
  fetch: (req: ListRequest) => Promise<Page<Grant>>,
  checkResourceSkips: boolean,
  onLastPage?: () => void,
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
