import type { AnyMessage, Grant, ListRequest, Page, Resource, ResourceType } from '../connector/index.js';
import { annotations, hasAnnotation, resourceKey, Slots, withoutAnnotation } from '../connector/index.js';
import { paginate } from './paginate.js';
import { ResourceLru } from './resource-lru.js';
import { hasResourceId, skipsGrants } from './resource-rules.js';
import { runPool, type SlotControl } from './run-pool.js';
import { storedResources } from './stored-resources.js';
import { entitlementJobs, type ListingJob } from './sync-entitlements.js';
import type { SyncContext } from './sync-context.js';
import { walkResources } from './walk-resources.js';
import { ResourceCountNotFinal, WalkProgress } from './walk-progress.js';

/**
 * Walks the resources, and lists the entitlements and grants of every stored resource, all in one set of
 * `concurrency` call slots. Grant listings of the resources stored so far start while the walk still runs (a
 * long user walk is a chain of one call at a time) and hold their pages until it ends: grants are stored with
 * each principal replaced by the stored full resource, and grants pointing at resources the sync did not see
 * are dropped, not invented. After the walk, an entitlement listing and a grant listing take turns, so that
 * entitlement work (often no call at all) runs while grant calls wait on the network. Without `withGrants`,
 * the walk and then the entitlements.
 */
export async function syncResourcesEntitlementsAndGrants(
  ctx: SyncContext,
  o: { readonly withGrants: boolean; readonly maxHeldGrants?: number },
): Promise<void> {
  const slots = new Slots(ctx.options.concurrency);
  if (!o.withGrants) {
    await walkResources(ctx, { slots });
    await runPool(entitlementJobs(ctx), slots, ctx.signal, (job, signal, slot) => job.run(signal, slot));
    return;
  }
  const walk = new WalkProgress(o.maxHeldGrants);
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  // The walk first: it queues its listings before the grant listings look at which types are still listed.
  const walking = walkResources({ ...ctx, signal }, { slots, walk });
  walking.catch(() => undefined);
  // Entitlements are listed for the resources stored when the walk ended, not those held grant pages insert.
  let entitlements: AsyncGenerator<ListingJob> | undefined;
  const jobs = grantPhaseJobs({ ...ctx, signal }, walk, () => entitlements);
  // A grant listing failing during the walk stops the walk at once (the pool settles only after the walk).
  const grants = runPool(jobs, slots, signal, (job, jobSignal, slot) =>
    job.run(jobSignal, slot).catch((err: unknown) => {
      stop.abort(err);
      throw err;
    }),
  );
  grants.catch(() => undefined);
  try {
    await walking;
    entitlements = entitlementJobs({ ...ctx, signal });
  } catch (err) {
    stop.abort(err);
    throw err;
  } finally {
    // Wakes whatever waits for the walk; after a failure the aborted pool starts nothing more.
    walk.end();
    if (stop.signal.aborted) await grants.catch(() => undefined);
  }
  await grants;
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

/**
 * The jobs after the walk's start: grant listings of resources already stored while it runs (unless too many
 * grants are held), then every `typeGrants` walk (a long one-listing walk then runs beside the per-resource
 * ones instead of after them), then the remaining grant listings taking turns with the entitlement listings
 * (of the resources stored when the walk ended).
 */
async function* grantPhaseJobs(
  ctx: SyncContext,
  walk: WalkProgress,
  /** The entitlement jobs once the walk ended; none when it failed. */
  entitlements: () => AsyncGenerator<ListingJob> | undefined,
): AsyncGenerator<ListingJob> {
  const lru = new ResourceLru(ctx.store);
  const job = (listing: GrantListing): ListingJob => ({
    run: (signal, slot) => writeGrantPages(ctx, lru, listing, signal, slot, walk),
  });
  const perResource = resourceGrantListings(ctx, walk);
  let next: Promise<IteratorResult<GrantListing>> | undefined;
  while (!walk.done) {
    if (walk.isOverBudget) {
      await walk.finished;
      break;
    }
    next ??= perResource.next();
    const r = await Promise.race([next, walk.finished.then(() => undefined)]);
    // The walk ended first: the listing asked for comes after the type walks.
    if (r === undefined) break;
    next = undefined;
    if (r.done) break;
    yield job(r.value);
  }
  async function* afterWalk(): AsyncGenerator<ListingJob> {
    for (const listing of typeGrantListings(ctx)) yield job(listing);
    if (next) {
      const r = await next;
      if (r.done) return;
      yield job(r.value);
    }
    for await (const listing of perResource) yield job(listing);
  }
  const afterWalkEntitlements = entitlements();
  // None after a failed walk: the pool, aborted, takes no further job.
  if (!afterWalkEntitlements) return;
  yield* alternate(afterWalk(), afterWalkEntitlements);
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

interface GrantListing {
  readonly what: string;
  readonly fetch: (req: ListRequest) => Promise<Page<Grant>>;
  readonly checkResourceSkips: boolean;
}

const grantTypes = (ctx: SyncContext) => [...ctx.types].filter(([, type]) => !skipsGrants(type));

/**
 * Counts for connectors sizing optional scans: final once every resource is stored. Asked for earlier, it
 * throws `ResourceCountNotFinal`, and the listing waits for the walk and asks again.
 */
const resourceCounter = (ctx: SyncContext, walk?: WalkProgress) => (typeId: string) => {
  if (walk && !walk.done) throw new ResourceCountNotFinal(typeId);
  return ctx.tally.count(typeId, 'resources');
};

/** Every `typeGrants` walk of the sync (listed once every resource is stored). */
function* typeGrantListings(ctx: SyncContext): Generator<GrantListing> {
  const resourceCount = resourceCounter(ctx);
  for (const [typeId] of grantTypes(ctx)) {
    const syncer = ctx.registry.syncer(typeId);
    if (syncer.typeGrants) {
      const fetch = (req: ListRequest) => syncer.typeGrants!({ ...req, resourceCount });
      yield { what: `listing grants for type ${typeId}`, fetch, checkResourceSkips: true };
    }
  }
}

/**
 * A grant listing per stored resource of each type without `typeGrants`, type by type. While the walk runs,
 * a type is read once none of its listings is queued or running; after the walk, every type is read (again)
 * from where it stopped, so that resources stored meanwhile (as children) are listed too.
 */
async function* resourceGrantListings(ctx: SyncContext, walk: WalkProgress): AsyncGenerator<GrantListing> {
  const resourceCount = resourceCounter(ctx, walk);
  const types = grantTypes(ctx).filter(([typeId]) => !ctx.registry.syncer(typeId).typeGrants);
  const readUpTo = new Map<string, number>();
  async function* stored(typeId: string, type: ResourceType): AsyncGenerator<GrantListing> {
    const syncer = ctx.registry.syncer(typeId);
    const afterRowId = readUpTo.get(typeId) ?? 0;
    for await (const { rowId, value: resource } of storedResources(ctx.store, typeId, ctx.options.pageSize, {
      afterRowId,
    })) {
      readUpTo.set(typeId, rowId);
      if (skipsGrants(type, resource)) continue;
      const fetch = (req: ListRequest) => syncer.grants(resource, { ...req, resourceCount });
      yield {
        what: `listing grants for resource ${resourceKey(resource.id)}`,
        fetch,
        checkResourceSkips: false,
      };
    }
  }
  for (const [typeId, type] of types) {
    if (walk.done) break;
    await walk.typeIdle(typeId);
    yield* stored(typeId, type);
  }
  await walk.finished;
  for (const [typeId, type] of types) yield* stored(typeId, type);
}

/**
 * Pages through one grant listing into the store. Pages that arrive before the walk ended are held and
 * stored once it has; past the held budget, or when the connector asks for a count that is not final yet, the
 * listing gives its slot back and waits for the walk before its next call.
 */
async function writeGrantPages(
  ctx: SyncContext,
  resources: ResourceLru,
  { what, fetch, checkResourceSkips }: GrantListing,
  signal: AbortSignal,
  control: SlotControl,
  walk: WalkProgress,
): Promise<void> {
  // Pages that arrived before the walk ended, counted in `walk.held` as they arrive.
  const held: Page<Grant>[] = [];
  const early = new WeakSet<Page<Grant>>();
  const store = (page: Page<Grant>) => {
    if (early.has(page)) walk.held -= page.items.length;
    writeGrantPage(ctx, resources, page, checkResourceSkips);
  };
  const release = () => {
    for (const page of held.splice(0)) store(page);
  };
  const call = async (req: ListRequest): Promise<Page<Grant>> => {
    if (req.pageToken !== undefined && walk.isOverBudget) await control.suspend(walk.finished);
    for (;;) {
      try {
        const page = await fetch(req);
        if (!walk.done) {
          early.add(page);
          walk.held += page.items.length;
        }
        return page;
      } catch (err) {
        if (!(err instanceof ResourceCountNotFinal) || walk.done) throw err;
        await control.suspend(walk.finished);
      }
    }
  };
  const pages = paginate(what, ctx.options, signal, call, (g) => g.id, { onLastPage: control.handOff });
  for await (const page of pages) {
    if (!walk.done) {
      held.push(page);
      continue;
    }
    release();
    store(page);
  }
  if (held.length > 0) {
    // The last page has arrived, so the slot is given back already.
    await walk.finished;
    signal.throwIfAborted();
    release();
  }
}

function writeGrantPage(
  ctx: SyncContext,
  resources: ResourceLru,
  page: Page<Grant>,
  checkResourceSkips: boolean,
): void {
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
