// Syncs a synthetic connector with N team-membership grants (default: 20,000 and 100,000, each in its own
// process) through runSync into a real C1zWriter file, and prints time, grants/s, c1z size and peak RSS.
// The connector generates every page on demand, so the only state that grows with N is the engine's and
// the writer's. Build and run: see bench/README.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { C1zWriter } from '../src/c1z/index.js';
import {
  annotations,
  ConnectorRegistry,
  entitlementId,
  grantId,
  resourceId,
  type Connector,
  type Entitlement,
  type Grant,
  type ListRequest,
  type Page,
  type Resource,
  type ResourceSyncer,
  type ResourceType,
} from '../src/connector/index.js';
import { runSync } from '../src/sync/index.js';

const USERS = 5_000;
const GRANTS_PER_TEAM = 1_000;
const DEFAULT_SIZES = [20_000, 100_000];

const userType: ResourceType = {
  id: 'user',
  displayName: 'User',
  traits: ['TRAIT_USER'],
  annotations: [annotations.skipEntitlementsAndGrants()],
};
const teamType: ResourceType = { id: 'team', displayName: 'Team', traits: ['TRAIT_GROUP'] };
const roleType: ResourceType = { id: 'role', displayName: 'Role', traits: ['TRAIT_ROLE'] };

const user = (i: number): Resource => ({
  id: resourceId('user', `user-${i}`),
  displayName: `User ${i}`,
  annotations: [
    annotations.userTrait({
      emails: [{ address: `user-${i}@example.com`, isPrimary: true }],
      login: `user-${i}@example.com`,
      status: { status: 'STATUS_ENABLED' },
      accountType: 'ACCOUNT_TYPE_HUMAN',
    }),
  ],
});
const team = (i: number): Resource => ({
  id: resourceId('team', `team-${i}`),
  displayName: `Team ${i}`,
  annotations: [annotations.groupTrait()],
});
const adminRole: Resource = {
  id: resourceId('role', 'admin'),
  displayName: 'admin',
  annotations: [annotations.roleTrait()],
};
const entitlement = (r: Resource, slug: string, grantableTo: ResourceType[]): Entitlement => ({
  id: entitlementId(r, slug),
  resource: r,
  displayName: `${r.displayName} ${slug}`,
  slug,
  purpose: 'PURPOSE_VALUE_ASSIGNMENT',
  grantableTo,
});
const grant = (r: Resource, slug: string, principal: Resource, expandable?: string): Grant => ({
  id: grantId(entitlementId(r, slug), principal.id),
  entitlement: { id: entitlementId(r, slug), resource: r },
  principal: { id: principal.id },
  ...(expandable ? { annotations: [annotations.grantExpandable([expandable])] } : {}),
});

/** Offset pages over `count` items built by `make`; nothing is kept between calls. */
async function offsetPage<T>(req: ListRequest, count: number, make: (i: number) => T): Promise<Page<T>> {
  req.signal.throwIfAborted();
  const start = req.pageToken ? Number(req.pageToken) : 0;
  const end = Math.min(count, start + req.pageSize);
  const items = Array.from({ length: end - start }, (_, k) => make(start + k));
  return end < count ? { items, nextPageToken: String(end) } : { items };
}
const empty = async <T>(): Promise<Page<T>> => ({ items: [] });

/** Users, teams with GRANTS_PER_TEAM members each, and one role held by team 0 (so expansion runs too). */
function syntheticConnector(totalGrants: number): Connector {
  const teams = Math.ceil(totalGrants / GRANTS_PER_TEAM);
  const users: ResourceSyncer = {
    resourceType: userType,
    list: (parent, req) => (parent ? empty() : offsetPage(req, USERS, user)),
    entitlements: () => empty(),
    grants: () => empty(),
  };
  const teamSyncer: ResourceSyncer = {
    resourceType: teamType,
    list: (parent, req) => (parent ? empty() : offsetPage(req, teams, team)),
    entitlements: async (t) => ({ items: [entitlement(t, 'member', [userType])] }),
    grants: (t, req) => {
      const n = Number(t.id.resource.slice('team-'.length));
      const count = Math.min(GRANTS_PER_TEAM, totalGrants - n * GRANTS_PER_TEAM);
      return offsetPage(req, count, (k) => grant(t, 'member', user((n * GRANTS_PER_TEAM + k) % USERS)));
    },
  };
  const roles: ResourceSyncer = {
    resourceType: roleType,
    list: async (parent) => ({ items: parent ? [] : [adminRole] }),
    entitlements: async (r) => ({ items: [entitlement(r, 'assigned', [userType, teamType])] }),
    grants: async (r) => ({ items: [grant(r, 'assigned', team(0), entitlementId(team(0), 'member'))] }),
  };
  return {
    metadata: () => ({ displayName: 'Synthetic' }),
    validate: async () => ({}),
    resourceSyncers: () => [users, teamSyncer, roles],
  };
}

interface Figures {
  requestedGrants: number;
  grants: number;
  resources: number;
  elapsedMs: number;
  grantsPerSecond: number;
  c1zBytes: number;
  peakRssMiB: number;
}

async function measure(totalGrants: number): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sync-'));
  try {
    const path = join(dir, 'bench.c1z');
    const t0 = performance.now();
    const writer = C1zWriter.create({ path });
    const signal = new AbortController().signal;
    const summary = await runSync({
      registry: new ConnectorRegistry(syntheticConnector(totalGrants)),
      store: writer,
      signal,
      log: pino({ level: 'warn' }),
    });
    await writer.finish(signal);
    const elapsedMs = performance.now() - t0;
    return {
      requestedGrants: totalGrants,
      grants: summary.totals.grants,
      resources: summary.totals.resources,
      elapsedMs: Math.round(elapsedMs),
      grantsPerSecond: Math.round(summary.totals.grants / (elapsedMs / 1000)),
      c1zBytes: statSync(path).size,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const row = (f: Figures) =>
  [
    String(f.grants).padStart(8),
    String(f.resources).padStart(9),
    `${(f.elapsedMs / 1000).toFixed(2)} s`.padStart(9),
    String(f.grantsPerSecond).padStart(9),
    `${(f.c1zBytes / 1024 / 1024).toFixed(2)} MiB`.padStart(10),
    `${f.peakRssMiB} MiB`.padStart(9),
  ].join('  ');

const sizeArg = process.argv[2];
if (sizeArg && /^\d+$/.test(sizeArg)) {
  // One size per process, so peak RSS belongs to that size alone.
  const figures = await measure(Number(sizeArg));
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
  else console.log(row(figures));
} else {
  // `--old-space-mib N` caps the V8 heap of each run: if the live set grew with the grant count, the larger
  // size would run out of memory; without a cap, V8 simply lets garbage pile up longer on bigger runs.
  const capAt = process.argv.indexOf('--old-space-mib');
  const nodeFlags = capAt > 0 ? [`--max-old-space-size=${process.argv[capAt + 1]}`] : [];
  console.log(
    `synthetic connector: ${USERS} users, ${GRANTS_PER_TEAM} member grants per team, one process per size` +
      (nodeFlags.length ? ` (${nodeFlags[0]})` : ''),
  );
  console.log('  grants  resources    elapsed  grants/s    c1z size   peak RSS');
  for (const size of DEFAULT_SIZES) {
    const child = spawnSync(
      process.execPath,
      [...nodeFlags, fileURLToPath(import.meta.url), String(size), '--json'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (child.status !== 0) throw new Error(`bench for ${size} grants failed with exit ${child.status}`);
    console.log(row(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Figures));
  }
}
