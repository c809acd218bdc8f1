import type { Grant, Resource, ResourceType } from '../connector/index.js';
import { hasAnnotation, resourceKey } from '../connector/index.js';
import { paginate } from './paginate.js';
import { checkResource, hasResourceId, skipsEntitlements, skipsGrants } from './resource-rules.js';
import { runPool } from './run-pool.js';
import { resourceEntitlements } from './sync-entitlements.js';
import { isCompleteGrant, storedGrant } from './sync-grants.js';
import type { SyncContext } from './sync-context.js';
import type { TargetResource } from './sync-options.js';
import { childListings, walkResources } from './walk-resources.js';

/**
 * The body of a targeted (`partial`) sync, as baton-sdk's SyncTargetedResourceOp: each target is fetched
 * with its type's getter and stored, then its entitlements and the grants on it are listed, and its child
 * resources (resources only). A target that does not exist, or whose type has no getter, is skipped with a
 * warning. Grants keep principals this sync did not see; an entitlement resource not stored yet is
 * fetched and stored ("related resources"). There is no grant expansion.
 */
export async function syncTargets(ctx: SyncContext): Promise<void> {
  const targets = (ctx.options.targets ?? []).filter((t) => {
    if (ctx.types.has(t.id.resourceType)) return true;
    ctx.log.warn(
      { resourceId: resourceKey(t.id) },
      'skipping targeted resource: its resource type is not being synced',
    );
    return false;
  });
  const related = new RelatedResources(ctx);
  await runPool(each(targets), ctx.options.concurrency, ctx.signal, async (target, signal) => {
    const type = ctx.types.get(target.id.resourceType)!;
    const resource = await fetchTarget(ctx, type, target, signal);
    if (!resource) return;
    const { options } = ctx;
    const syncer = ctx.registry.syncer(type.id);
    if (!options.skipEntitlementsAndGrants && !skipsEntitlements(type, resource)) {
      await resourceEntitlements(ctx, resource, signal, (req) => syncer.entitlements(resource, req));
    }
    if (!options.skipEntitlementsAndGrants && !options.skipGrants && !skipsGrants(type, resource)) {
      await targetGrants(ctx, related, resource, signal);
    }
    const children = childListings(ctx, resource);
    if (children.length > 0) await walkResources(ctx, { from: children });
  });
}

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

async function fetchTarget(
  ctx: SyncContext,
  type: ResourceType,
  target: TargetResource,
  signal: AbortSignal,
): Promise<Resource | undefined> {
  const key = resourceKey(target.id);
  const getter = ctx.registry.getter(type.id);
  if (!getter) {
    ctx.log.warn({ resourceId: key }, 'skipping targeted resource: its type cannot fetch a single resource');
    return undefined;
  }
  const parent = target.parentResourceId?.resourceType ? target.parentResourceId : undefined;
  const resource = await getter.get(target.id, parent, { signal });
  if (!resource) {
    ctx.log.warn({ resourceId: key }, 'skipping targeted resource: not found');
    return undefined;
  }
  if (!hasResourceId(resource)) {
    ctx.tally.dropped.resources++;
    ctx.log.warn({ resourceId: key }, 'skipping targeted resource: the connector returned an empty id');
    return undefined;
  }
  checkResource(`getting resource ${key}`, type, resource);
  ctx.store.putResources([resource]);
  ctx.tally.add('resources', type.id, 'resources', 1);
  return resource;
}

/**
 * The grants a target's syncer lists for it, stored as the connector gave them: a principal the store holds
 * is written in full, any other as given (a partial sync holds few principals). Nothing is dropped for
 * pointing outside the sync.
 */
async function targetGrants(
  ctx: SyncContext,
  related: RelatedResources,
  resource: Resource,
  signal: AbortSignal,
): Promise<void> {
  const syncer = ctx.registry.syncer(resource.id.resourceType);
  const what = `listing grants for resource ${resourceKey(resource.id)}`;
  const fetch = (req: Parameters<typeof syncer.grants>[1]) => syncer.grants(resource, req);
  for await (const page of paginate(what, ctx.options, signal, fetch, (g) => g.id)) {
    const insert = hasAnnotation(page.annotations, 'InsertResourceGrants');
    const kept: Grant[] = [];
    for (const g of page.items) {
      if (!isCompleteGrant(ctx, g)) continue;
      if (insert) related.insert(g.entitlement.resource);
      else await related.ensure(g.entitlement.resource, signal);
      const { store } = ctx;
      const stored = store.getPrincipalRef
        ? store.getPrincipalRef(g.principal.id)
        : store.getResource(g.principal.id);
      kept.push(storedGrant(g, stored ?? g.principal, insert));
    }
    ctx.store.putGrants(kept);
    ctx.tally.addAll('grants', 'grants', kept, (g) => g.entitlement.resource.id.resourceType);
  }
}

/**
 * Entitlement resources named by a target's grants. One not in the store is fetched once with its type's
 * getter and stored, as the SDK's "fetch related resources" does for partial syncs; when it cannot be
 * fetched (no getter, not found) the grant is kept all the same.
 */
class RelatedResources {
  readonly #seen = new Map<string, Promise<void>>();

  constructor(private readonly ctx: SyncContext) {}

  /** `InsertResourceGrants`: the connector's own copy is stored, nothing is fetched. */
  insert(resource: Resource): void {
    const key = resourceKey(resource.id);
    if (this.#seen.has(key)) return;
    this.#seen.set(key, Promise.resolve());
    this.ctx.store.putResources([resource]);
    this.ctx.tally.add('grants', resource.id.resourceType, 'resources', 1);
  }

  ensure(resource: Resource, signal: AbortSignal): Promise<void> {
    const key = resourceKey(resource.id);
    let done = this.#seen.get(key);
    if (!done) {
      done = this.#fetch(resource, signal);
      this.#seen.set(key, done);
    }
    return done;
  }

  async #fetch(ref: Resource, signal: AbortSignal): Promise<void> {
    const { ctx } = this;
    if (ctx.store.getResource(ref.id)) return;
    const type = ctx.types.get(ref.id.resourceType);
    const getter = ctx.registry.getter(ref.id.resourceType);
    const key = resourceKey(ref.id);
    if (!type || !getter) {
      ctx.log.debug({ resourceId: key }, 'grant names a resource this sync cannot fetch; kept the grant');
      return;
    }
    const found = await getter.get(ref.id, ref.parentResourceId, { signal });
    if (!found || !hasResourceId(found)) {
      ctx.log.warn({ resourceId: key }, 'skipping related resource: not found; kept the grant');
      return;
    }
    checkResource(`getting resource ${key}`, type, found);
    ctx.store.putResources([found]);
    ctx.tally.add('grants', type.id, 'resources', 1);
  }
}
