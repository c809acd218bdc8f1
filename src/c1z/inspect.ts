import { toJsonForDisplay } from '../connector/index.js';
import { C1zReader, type C1zSyncRun } from './c1z-reader.js';
import { PROTO } from './row-encoding.js';

export interface InspectOptions {
  /** List the resources of this type instead of the stats. */
  readonly resources?: string;
  /** List the grants on this entitlement id instead of the stats. */
  readonly grants?: string;
  /** List every grant this principal (`type:id`) holds, direct or derived, instead of the stats. */
  readonly access?: string;
  readonly output: 'console' | 'json';
  readonly tempDir?: string;
  readonly signal?: AbortSignal;
}

/** Text for the `inspect` subcommand: stats like `baton stats`, or a resource or grant listing. */
export async function inspectC1z(path: string, opts: InspectOptions): Promise<string> {
  const reader = await C1zReader.open(path, {
    ...(opts.tempDir ? { tempDir: opts.tempDir } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  try {
    const sections: { json: Record<string, unknown>; text: string }[] = [];
    if (opts.resources !== undefined) sections.push(resourceListing(reader, opts.resources));
    if (opts.grants !== undefined) sections.push(grantListing(reader, opts.grants));
    if (opts.access !== undefined) sections.push(accessListing(reader, opts.access));
    if (sections.length === 0) sections.push(statsReport(reader));
    if (opts.output === 'json') {
      return `${JSON.stringify(Object.assign({}, ...sections.map((s) => s.json)), null, 2)}\n`;
    }
    return `${sections.map((s) => s.text).join('\n')}`;
  } finally {
    await reader.close();
  }
}

/** Parses the SDK timestamp format as local time; fractions beyond milliseconds are dropped. */
function parseSqliteTime(value: string): number {
  const [date = '', time = ''] = value.split(' ');
  const [clock = '', fraction = ''] = time.split('.');
  return new Date(`${date}T${clock}.${fraction.padEnd(3, '0').slice(0, 3)}`).getTime();
}

const durationMs = (run: C1zSyncRun): number | null =>
  run.endedAt === null ? null : parseSqliteTime(run.endedAt) - parseSqliteTime(run.startedAt);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((l) => `${l}\n`).join('');
}

/** protojson form, as the baton CLI prints messages (Struct as JSON, timestamps RFC 3339, int64 as strings). */
const protojson = (fullName: string, obj: object): Record<string, unknown> =>
  JSON.parse(toJsonForDisplay(fullName, obj)) as Record<string, unknown>;

const sortedEntries = (m: Readonly<Record<string, number>>): [string, number][] =>
  Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function statsReport(reader: C1zReader) {
  const run = reader.defaultSync();
  const stats = reader.stats({ syncId: run.syncId });
  const withAccess = run.syncType !== 'resources_only';
  const duration = durationMs(run);
  // `baton stats` prints one row per resource type plus resource_types, entitlements and grants.
  const counts: Record<string, number> = {
    resource_types: stats.resourceTypes,
    ...stats.resourcesByResourceType,
  };
  if (withAccess) Object.assign(counts, { entitlements: stats.entitlements, grants: stats.grants });
  const header = table(
    ['Sync', ''],
    [
      ['ID', run.syncId],
      ['Type', run.syncType],
      ['Started', run.startedAt],
      ['Ended', run.endedAt ?? '(unfinished)'],
      ['Duration', duration === null ? '-' : `${(duration / 1000).toFixed(3)}s`],
      ['Resources', String(stats.resources)],
    ],
  );
  const text = `${header}\n${table(
    ['Type', 'Count'],
    sortedEntries(counts).map(([k, n]) => [k, String(n)]),
  )}`;
  const json = {
    sync: {
      id: run.syncId,
      type: run.syncType,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      durationMs: duration,
    },
    counts: {
      resourceTypes: stats.resourceTypes,
      resources: stats.resources,
      entitlements: stats.entitlements,
      grants: stats.grants,
      resourcesByResourceType: Object.fromEntries(sortedEntries(stats.resourcesByResourceType)),
      entitlementsByResourceType: Object.fromEntries(sortedEntries(stats.entitlementsByResourceType)),
      grantsByResourceType: Object.fromEntries(sortedEntries(stats.grantsByResourceType)),
    },
  };
  return { json, text };
}

function resourceListing(reader: C1zReader, resourceTypeId: string) {
  const resourceType = reader.resourceTypes().find((rt) => rt.id === resourceTypeId) ?? null;
  const resources = [...reader.resources({ resourceTypeId })];
  const status = (r: (typeof resources)[number]) =>
    (r.status?.status ?? '').replace('RESOURCE_STATUS_', '').replace('UNSPECIFIED', '').toLowerCase();
  const text = table(
    ['ID', 'Display Name', 'Status', 'Description'],
    resources.map((r) => [r.id.resource, r.displayName ?? '', status(r), r.description ?? '']),
  );
  const typeJson = resourceType && protojson(PROTO.resourceType, resourceType);
  const json = {
    resources: resources.map((r) => ({ resource: protojson(PROTO.resource, r), resourceType: typeJson })),
  };
  return { json, text };
}

function grantListing(reader: C1zReader, entitlementId: string) {
  const grants = [...reader.grants({ entitlementId })].map((g) => g.grant);
  const text = table(
    ['Grant ID', 'Principal'],
    grants.map((g) => [g.id, `${g.principal.id.resourceType}:${g.principal.id.resource}`]),
  );
  // Shaped like `baton grants -o json`: .grants[].grant.id, .grants[].principal.id.resource.
  const json = {
    grants: grants.map((g) => {
      const grant = protojson(PROTO.grant, g);
      return { grant, entitlement: grant['entitlement'], principal: grant['principal'] };
    }),
  };
  return { json, text };
}

/**
 * Everything one principal holds: its grants across every entitlement, each marked `direct` or with the
 * entitlements it was derived through (grant expansion, e.g. `via team:<t>:member`).
 */
function accessListing(reader: C1zReader, principal: string) {
  const colon = principal.indexOf(':');
  const type = colon > 0 ? principal.slice(0, colon) : '';
  const id = colon > 0 ? principal.slice(colon + 1) : '';
  const held = [...reader.grants()]
    .map((g) => g.grant)
    .filter((g) => g.principal.id.resourceType === type && g.principal.id.resource === id)
    .sort((a, b) => (a.entitlement.id < b.entitlement.id ? -1 : a.entitlement.id > b.entitlement.id ? 1 : 0));
  const how = (g: (typeof held)[number]): string[] => {
    const sources = Object.entries(g.sources?.sources ?? {});
    const derived = sources.filter(([src]) => src !== g.entitlement.id).map(([src]) => src);
    const direct = sources.length === 0 || sources.some(([src]) => src === g.entitlement.id);
    return [...(direct ? ['direct'] : []), ...derived.map((src) => `via ${src}`)];
  };
  const text = table(
    ['Entitlement', 'Resource Type', 'How'],
    held.map((g) => [g.entitlement.id, g.entitlement.resource.id.resourceType, how(g).join(', ')]),
  );
  const json = {
    access: held.map((g) => ({
      entitlementId: g.entitlement.id,
      resourceType: g.entitlement.resource.id.resourceType,
      resource: g.entitlement.resource.id.resource,
      grantId: g.id,
      how: how(g),
    })),
  };
  return { json, text: held.length === 0 ? `${principal} holds no grants in this sync\n` : text };
}
