import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AnyMessage, Entitlement, Grant, GrantSources } from '../connector/index.js';
import { annotations, grantId, typeUrl, V2 } from '../connector/index.js';
import type { ExpansionEdge } from './expansion-graph.js';
import { loadExpansionEdges, planExpansion } from './expansion-graph.js';
import type { StoredGrant, StoredRow, SyncStore } from '../connector/index.js';

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
  const add = (r: { created: number; updated: number }) => {
    totals.createdGrants += r.created;
    totals.updatedGrants += r.updated;
    return r.created + r.updated;
  };
  const steps = planExpansion(edges);
  for (const step of steps) {
    if (step.depth >= maxDepth) {
      log.warn(
        { entitlementIds: step.entitlementIds, maxDepth },
        'grant expansion deeper than the maximum: stopped',
      );
    }
  }
  const runnable = steps.filter((step) => step.depth < maxDepth);
  // An edge out of a root (an entitlement no edge leads into) reads grants that expansion never changes, so
  // those edges run first, grouped by source: each source's grants are read once for all its targets.
  const targets = new Set(edges.map((e) => e.dstEntitlementId));
  const isRoot = (e: ExpansionEdge) => !targets.has(e.srcEntitlementId);
  const bySource = new Map<string, ExpansionEdge[]>();
  for (const e of runnable.flatMap((step) => step.incoming).filter(isRoot)) {
    bySource.set(e.srcEntitlementId, [...(bySource.get(e.srcEntitlementId) ?? []), e]);
  }
  for (const [src, out] of bySource) add(await applyEdges(store, src, out, signal, batchSize, args.onGrants));
  for (const step of runnable) {
    const incoming = step.incoming.filter((e) => !isRoot(e));
    if (incoming.length === 0) continue;
    for (let pass = 1; ; pass++) {
      let changed = 0;
      for (const edge of incoming) {
        changed += add(
          await applyEdges(store, edge.srcEntitlementId, [edge], signal, batchSize, args.onGrants),
        );
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

/** Applies every edge out of `srcEntitlementId`, reading its grants page by page once for all of them. */
async function applyEdges(
  store: SyncStore,
  srcEntitlementId: string,
  edges: readonly ExpansionEdge[],
  signal: AbortSignal,
  batchSize: number,
  onGrants: ExpandGrantsArgs['onGrants'],
): Promise<{ created: number; updated: number }> {
  const counts = { created: 0, updated: 0 };
  const out = edges.flatMap((edge) => {
    const target = store.getEntitlement(edge.dstEntitlementId);
    return target ? [{ edge, target }] : [];
  });
  if (out.length === 0) return counts;
  let afterRowId = 0;
  for (;;) {
    // The store is synchronous: yield so timers (heartbeats, aborts) run between pages.
    await yieldToLoop();
    signal.throwIfAborted();
    // Source principals are only copied into derived grants: stand-ins spare decoding and encoding them.
    const rows = store.listGrantsForEntitlement(srcEntitlementId, afterRowId, batchSize, {
      principalRefs: true,
    });
    for (const { edge, target } of out) {
      const r = deriveGrants(store, edge, target, rows, onGrants);
      counts.created += r.created;
      counts.updated += r.updated;
    }
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) return counts;
    afterRowId = last.rowId;
  }
}

/** The grants of `target` that one page of the source's grants gives along `edge`, written to the store. */
function deriveGrants(
  store: SyncStore,
  edge: ExpansionEdge,
  target: Entitlement,
  rows: readonly StoredRow<StoredGrant>[],
  onGrants: ExpandGrantsArgs['onGrants'],
): { created: number; updated: number } {
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
  let created = 0;
  let updated = 0;
  for (const { source, id } of sources) {
    const existing =
      writes.get(id) ?? (stored && !stored.has(id) ? undefined : withExpansion(store.getGrant(id)));
    const next = existing
      ? addSource(existing, edge.srcEntitlementId)
      : derivedGrant(id, target, source, edge);
    if (!next) continue;
    writes.set(id, next);
    if (existing) updated++;
    else created++;
  }
  if (writes.size > 0) store.putGrants([...writes.values()]);
  if (created > 0) onGrants?.(target.resource.id.resourceType, created);
  return { created, updated };
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
