import type { Logger } from 'pino';
import type { Entitlement, ResourceId } from '../connector/index.js';
import { resourceKey } from '../connector/index.js';
import type { SyncStore } from '../connector/index.js';

/** Everyone holding `srcEntitlementId` also gets `dstEntitlementId`. */
export interface ExpansionEdge {
  readonly srcEntitlementId: string;
  readonly dstEntitlementId: string;
  /** Only direct source grants propagate (every contributing annotation said shallow). */
  readonly shallow: boolean;
  /** Only principals of these types propagate; undefined means all. */
  readonly resourceTypeIds: ReadonlySet<string> | undefined;
}

/** A strongly connected group of entitlements, with the edges that feed it, in dependency order. */
export interface ExpansionStep {
  readonly entitlementIds: readonly string[];
  readonly incoming: readonly ExpansionEdge[];
  /** True when the group's own edges form a cycle, so it must be iterated to a fixed point. */
  readonly isCyclic: boolean;
  /** Longest chain of steps leading here (0 for a step fed only by roots). */
  readonly depth: number;
}

const sameId = (a: ResourceId, b: ResourceId) =>
  a.resourceType === b.resourceType && a.resource === b.resource;

/**
 * Reads the expansion columns into edges (there are few; grants are never held). An edge whose source
 * entitlement is missing, whose source is not on the grant's principal, or whose target entitlement is
 * missing is dropped.
 */
export function loadExpansionEdges(
  store: SyncStore,
  log: Logger,
  batchSize: number,
): { edges: ExpansionEdge[]; dropped: number } {
  const edges = new Map<string, ExpansionEdge>();
  // Entitlements named by edges, read once each (like the edges, they are few).
  const entitlements = new Map<string, Entitlement | undefined>();
  const entitlement = (id: string): Entitlement | undefined => {
    if (!entitlements.has(id)) entitlements.set(id, store.getEntitlement(id));
    return entitlements.get(id);
  };
  let dropped = 0;
  let afterRowId = 0;
  for (;;) {
    const rows = store.listExpandableGrants(afterRowId, batchSize);
    for (const { value } of rows) {
      const { grant, expansion } = value;
      const dst = grant.entitlement.id;
      if (!expansion) continue;
      if (!entitlement(dst)) {
        dropped += expansion.entitlementIds.length;
        log.warn(
          { entitlementId: dst, grantId: grant.id },
          'expandable grant names an entitlement not synced',
        );
        continue;
      }
      for (const src of expansion.entitlementIds) {
        const source = src.trim() === '' ? undefined : entitlement(src);
        if (!source) {
          dropped++;
          log.debug(
            { entitlementId: src, grantId: grant.id },
            'dropped expansion edge with a missing source',
          );
          continue;
        }
        if (!sameId(source.resource.id, grant.principal.id)) {
          dropped++;
          log.warn(
            { entitlementId: src, grantId: grant.id, resourceId: resourceKey(grant.principal.id) },
            "skipped expansion edge: source entitlement is not on the grant's principal",
          );
          continue;
        }
        if (src === dst) continue;
        const key = `${src}\u0000${dst}`;
        const types = expansion.resourceTypeIds?.length ? new Set(expansion.resourceTypeIds) : undefined;
        const prev = edges.get(key);
        const merged = !prev
          ? types
          : prev.resourceTypeIds && types
            ? new Set([...prev.resourceTypeIds, ...types])
            : undefined;
        edges.set(key, {
          srcEntitlementId: src,
          dstEntitlementId: dst,
          shallow: (prev?.shallow ?? true) && expansion.shallow === true,
          resourceTypeIds: merged,
        });
      }
    }
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) break;
    afterRowId = last.rowId;
  }
  return { edges: [...edges.values()], dropped };
}

/** Groups entitlements into strongly connected components (Tarjan) and orders them sources first. */
export function planExpansion(edges: readonly ExpansionEdge[]): ExpansionStep[] {
  const out = new Map<string, ExpansionEdge[]>();
  const nodes = new Set<string>();
  for (const e of edges) {
    nodes.add(e.srcEntitlementId).add(e.dstEntitlementId);
    out.set(e.srcEntitlementId, [...(out.get(e.srcEntitlementId) ?? []), e]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const { dstEntitlementId: w } of out.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      components.push(component);
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);

  // Tarjan emits a component after everything reachable from it: reversed, sources come first.
  const componentOf = new Map<string, number>();
  components.reverse().forEach((c, i) => c.forEach((id) => componentOf.set(id, i)));
  const depth = components.map(() => 0);
  const incomingOf = components.map((): ExpansionEdge[] => []);
  for (const e of edges) incomingOf[componentOf.get(e.dstEntitlementId)!]!.push(e);
  const steps: ExpansionStep[] = [];
  components.forEach((ids, i) => {
    const incoming = incomingOf[i]!;
    for (const e of incoming) {
      const from = componentOf.get(e.srcEntitlementId)!;
      if (from !== i) depth[i] = Math.max(depth[i]!, depth[from]! + 1);
    }
    if (incoming.length === 0) return;
    const isCyclic = incoming.some((e) => componentOf.get(e.srcEntitlementId) === i);
    steps.push({ entitlementIds: ids, incoming, isCyclic, depth: depth[i]! - 1 });
  });
  return steps;
}
