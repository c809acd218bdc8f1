// Writes N grants (default 100,000) into a c1z and prints time, throughput, size and peak RSS.
// Run (Node 24, no build): node --experimental-transform-types bench/c1z-write.ts [grants] [pageSize]
import './ts-sources.ts';
import { mkdtempSync, rmSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as C1z from '../src/c1z/index.js';
import type { Entitlement, Grant, Resource, ResourceType } from '../src/connector/index.js';

const { C1zWriter } = (await import('../src/c1z/index.ts')) as typeof C1z;

const totalGrants = Number(process.argv[2] ?? 100_000);
const pageSize = Number(process.argv[3] ?? 100);
const usersCount = 5_000;
const teamsCount = Math.ceil(totalGrants / usersCount);

const userType: ResourceType = { id: 'user', displayName: 'User', traits: ['TRAIT_USER'] };
const teamType: ResourceType = { id: 'team', displayName: 'Team', traits: ['TRAIT_GROUP'] };
const user = (i: number): Resource => ({
  id: { resourceType: 'user', resource: `user-${i}` },
  displayName: `User ${i}`,
  annotations: [
    {
      '@type': 'type.googleapis.com/c1.connector.v2.UserTrait',
      emails: [{ address: `user-${i}@example.com`, isPrimary: true }],
      status: { status: 'STATUS_ENABLED' },
    },
  ],
});
const team = (i: number): Resource => ({
  id: { resourceType: 'team', resource: `team-${i}` },
  displayName: `Team ${i}`,
  annotations: [{ '@type': 'type.googleapis.com/c1.connector.v2.GroupTrait' }],
});
const member = (t: Resource): Entitlement => ({
  resource: t,
  id: `team:${t.id.resource}:member`,
  displayName: `${t.displayName} member`,
  slug: 'member',
  purpose: 'PURPOSE_VALUE_ASSIGNMENT',
  grantableTo: [userType],
});

const dir = mkdtempSync(join(tmpdir(), 'c1z-bench-'));
const path = join(dir, 'bench.c1z');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const rss = () => mb(process.memoryUsage().rss);

try {
  const t0 = performance.now();
  const w = C1zWriter.create({ path });
  w.startSync('full');
  w.putResourceTypes([userType, teamType]);
  for (let i = 0; i < usersCount; i += pageSize) {
    w.putResources(Array.from({ length: Math.min(pageSize, usersCount - i) }, (_, k) => user(i + k)));
  }
  const teams = Array.from({ length: teamsCount }, (_, i) => team(i));
  w.putResources(teams);
  w.putEntitlements(teams.map(member));

  let written = 0;
  let page: Grant[] = [];
  const tGrants = performance.now();
  for (const t of teams) {
    const e = member(t);
    for (let u = 0; u < usersCount && written < totalGrants; u++, written++) {
      const principal = user(u);
      page.push({ entitlement: e, principal, id: `${e.id}:user:${principal.id.resource}` });
      if (page.length === pageSize) {
        w.putGrants(page);
        page = [];
      }
      if (written % 25_000 === 0 && written > 0) console.log(`  ${written} grants, rss ${rss()}`);
    }
  }
  if (page.length > 0) w.putGrants(page);
  const grantsMs = performance.now() - tGrants;
  w.endSync();
  const tFinish = performance.now();
  await w.finish();
  const finishMs = performance.now() - tFinish;
  const totalMs = performance.now() - t0;

  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  readSync(fd, header, 0, 16, 0);
  closeSync(fd);
  console.log(
    `grants written:     ${written} (+ ${usersCount + teamsCount} resources), page size ${pageSize}`,
  );
  console.log(
    `grant puts:         ${(grantsMs / 1000).toFixed(2)} s, ${Math.round(written / (grantsMs / 1000))} grants/s`,
  );
  console.log(`endSync + finish:   ${(finishMs / 1000).toFixed(2)} s (compress + fsync + rename)`);
  console.log(
    `total:              ${(totalMs / 1000).toFixed(2)} s, ${Math.round(written / (totalMs / 1000))} grants/s`,
  );
  console.log(`output size:        ${mb(statSync(path).size)} (${statSync(path).size} bytes)`);
  console.log(`header bytes:       ${header.toString('hex')}`);
  console.log(`peak RSS:           ${mb(process.resourceUsage().maxRSS * 1024)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
