import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AnyMessage, Entitlement, Grant, GrantSources } from '../connector/index.js';
import { annotations, grantId, typeUrl, V2 } from '../connector/index.js';
import type { ExpansionEdge } from './expansion-graph.js';
import { loadExpansionEdges, planExpansion } from './expansion-graph.js';
import type { StoredGrant, SyncStore } from '../connector/index.js';

export const MAX_EXPANSION_DEPTH = 20;

export interface ExpandGrantsArgs {
  readonly store: SyncStore;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Grants read per store page. */
  readonly batchSize?: number;
  readonly maxDepth?: number;
  /** Called after each written page with the new derived grants, by their entitlement's resource type. */
  readonly onGrants?: (resourceTypeId: string, created: number) => void;
}

export interface ExpansionResult {
  readonly edges: number;
  readonly droppedEdges: number;
  /** New derived grants. */
  readonly createdGrants: number;
  /** Existing grants that gained a source. */
  readonly updatedGrants: number;
}

/**
 * Derives grants from GrantExpandable edges (connector-model §3.1, §4.5) until nothing changes: every principal
 * holding a source entitlement also gets the target one. Cycles are iterated to a fixed point; chains deeper
 * than `maxDepth` are not followed.
 */
export async function expandGrants(args: ExpandGrantsArgs): Promise<ExpansionResult> {
  const { store, signal, log } = args;
  const batchSize = args.batchSize ?? 500;
  const maxDepth = args.maxDepth ?? MAX_EXPANSION_DEPTH;
  const { edges, dropped } = loadExpansionEdges(store, log, batchSize);
  const totals = { createdGrants: 0, updatedGrants: 0 };
  for (const step of planExpansion(edges)) {
    if (step.depth >= maxDepth) {
      log.warn(
        { entitlementIds: step.entitlementIds, maxDepth },
        'grant expansion deeper than the maximum: stopped',
      );
      continue;
    }
    for (let pass = 1; ; pass++) {
      let changed = 0;
      for (const edge of step.incoming) {
        const r = await applyEdge(store, edge, signal, batchSize, args.onGrants);
        totals.createdGrants += r.created;
        totals.updatedGrants += r.updated;
        changed += r.created + r.updated;
      }
      if (!step.isCyclic || changed === 0) break;
      if (pass >= maxDepth) {
        log.warn(
          { entitlementIds: step.entitlementIds, maxDepth },
          'grant expansion cycle still growing: stopped',
        );
        break;
      }
    }
  }
  if (dropped > 0) log.warn({ count: dropped }, 'dropped grant expansion edges');
  return { edges: edges.length, droppedEdges: dropped, ...totals };
}

async function applyEdge(
  store: SyncStore,
  edge: ExpansionEdge,
  signal: AbortSignal,
  batchSize: number,
  onGrants: ExpandGrantsArgs['onGrants'],
): Promise<{ created: number; updated: number }> {
  const target = store.getEntitlement(edge.dstEntitlementId);
  const counts = { created: 0, updated: 0 };
  if (!target) return counts;
  let afterRowId = 0;
  for (;;) {
    // The store is synchronous: yield so timers (heartbeats, aborts) run between pages.
    await yieldToLoop();
    signal.throwIfAborted();
    let created = 0;
    // Source principals are only copied into derived grants: stand-ins spare decoding and encoding them.
    const rows = store.listGrantsForEntitlement(edge.srcEntitlementId, afterRowId, batchSize, {
      principalRefs: true,
    });
    const writes = new Map<string, Grant>();
    const sources = rows.flatMap(({ value }) => {
      const source = value.grant;
      const p = source.principal.id;
      if (edge.shallow && !isDirect(source)) return [];
      if (edge.resourceTypeIds && !edge.resourceTypeIds.has(p.resourceType)) return [];
      // A resource is not granted access to itself through its own members.
      if (p.resourceType === target.resource.id.resourceType && p.resource === target.resource.id.resource)
        return [];
      return [{ source, id: grantId(target.id, p) }];
    });
    // Most derived grants are new: one batched check spares a lookup of each (when the store can do it).
    const stored = store.storedGrantIds?.(sources.map((s) => s.id));
    for (const { source, id } of sources) {
      const existing =
        writes.get(id) ?? (stored && !stored.has(id) ? undefined : withExpansion(store.getGrant(id)));
      const next = existing
        ? addSource(existing, edge.srcEntitlementId)
        : derivedGrant(id, target, source, edge);
      if (!next) continue;
      writes.set(id, next);
      if (existing) counts.updated++;
      else created++;
    }
    if (writes.size > 0) store.putGrants([...writes.values()]);
    counts.created += created;
    if (created > 0) onGrants?.(target.resource.id.resourceType, created);
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) return counts;
    afterRowId = last.rowId;
  }
}

/** Direct: put there by the connector (no sources), or marked with a direct self-source. */
const isDirect = (g: Grant): boolean => {
  const sources = g.sources?.sources;
  return !sources || Object.keys(sources).length === 0 || sources[g.entitlement.id] !== undefined;
};

function derivedGrant(id: string, target: Entitlement, source: Grant, edge: ExpansionEdge): Grant {
  return {
    id,
    entitlement: target,
    principal: source.principal,
    annotations: [annotations.grantImmutable()],
    sources: { sources: { [edge.srcEntitlementId]: {} } },
  };
}

/** The grant with its source added, or undefined when it already has it. */
function addSource(existing: Grant, src: string): Grant | undefined {
  const current = existing.sources?.sources ?? {};
  if (current[src] !== undefined) return undefined;
  const base = isDirect(existing) ? { ...current, [existing.entitlement.id]: { isDirect: true } } : current;
  const sources: GrantSources = { sources: { ...base, [src]: {} } };
  return { ...existing, sources };
}

/**
 * The store strips GrantExpandable into its own column on every put, so a grant written back must carry the
 * annotation again or it would lose its expansion.
 */
function withExpansion(stored: StoredGrant | undefined): Grant | undefined {
  if (!stored?.expansion) return stored?.grant;
  const { entitlementIds, shallow, resourceTypeIds } = stored.expansion;
  const annotation: AnyMessage = {
    '@type': typeUrl(`${V2}.GrantExpandable`),
    entitlementIds: [...entitlementIds],
    ...(shallow ? { shallow: true } : {}),
    ...(resourceTypeIds?.length ? { resourceTypeIds: [...resourceTypeIds] } : {}),
  };
  return { ...stored.grant, annotations: [...(stored.grant.annotations ?? []), annotation] };
}
