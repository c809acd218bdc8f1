// JS heap allocated per encoded user resource (a Resource with a UserTrait Any holding a 12-entry profile Struct)
// and the young-generation collections that garbage costs. Run (Node 24, no build):
//   node --experimental-transform-types bench/proto-alloc.ts [users, default 50000]
// It re-runs itself twice: with a 256 MiB new space, so a batch of encodes runs without a collection and the
// growth of the used heap is what the encodes allocated; and with the image's default heap settings, counting
// scavenges and CPU time for the same encodes.
import './ts-sources.ts';
import { execFileSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type * as Connector from '../src/connector/index.js';
import type { Resource } from '../src/connector/index.js';

const users = Number(process.argv[2] ?? 50_000);
const mode = process.argv[3];
const BATCH = 2_000;

if (mode === undefined) {
  const self = process.argv[1]!;
  const run = (flags: string[], m: string): void => {
    process.stdout.write(
      execFileSync(
        process.execPath,
        [...flags, '--experimental-transform-types', '--no-warnings', self, String(users), m],
        { encoding: 'utf8' },
      ),
    );
  };
  run(['--expose-gc', '--min-semi-space-size=128', '--max-semi-space-size=128'], 'bytes');
  run(['--max-semi-space-size=16'], 'gc');
} else {
  const { encodeMessage } = (await import('../src/connector/proto.ts')) as typeof Connector;
  const { toStruct } = (await import('../src/connector/struct.ts')) as typeof Connector;

  const user = (i: number): Resource => ({
    id: { resourceType: 'user', resource: `user-${i}` },
    displayName: `User Number ${i}`,
    annotations: [
      {
        '@type': 'type.googleapis.com/c1.connector.v2.UserTrait',
        emails: [{ address: `user-${i}@example.com`, isPrimary: true }],
        status: { status: 'STATUS_ENABLED' },
        login: `user-${i}@example.com`,
        accountType: 'ACCOUNT_TYPE_HUMAN',
        profile: toStruct({
          id: `user_${i}_abcdef`,
          email: `user-${i}@example.com`,
          given_name: `Given${i}`,
          family_name: 'Family',
          role: 'Account Reviewer',
          active: true,
          verified: i % 2 === 0,
          invited: false,
          phone: '+1 555 0100',
          picture: `https://example.com/pictures/${i}.png`,
          created_at: '2024-01-02T03:04:05.678Z',
          logged_in_at: null,
        }),
      },
    ],
  });
  const resources = Array.from({ length: users }, (_, i) => user(i));
  const RESOURCE = 'c1.connector.v2.Resource';
  for (let i = 0; i < 5_000; i++) encodeMessage(RESOURCE, resources[i % users]!); // warm-up

  let collections = 0;
  const gcs = new PerformanceObserver((list) => (collections += list.getEntries().length));
  gcs.observe({ entryTypes: ['gc'] });
  const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20)); // gc entries arrive later

  if (mode === 'bytes') {
    const gc = (globalThis as { gc?: () => void }).gc!;
    let allocated = 0;
    let batches = 0;
    let disturbed = 0;
    let bytes = 0;
    for (let start = 0; start < users; start += BATCH) {
      gc();
      await flush();
      const seen = collections;
      const before = getHeapStatistics().used_heap_size;
      for (let i = start; i < Math.min(users, start + BATCH); i++)
        bytes += encodeMessage(RESOURCE, resources[i]!).length;
      const grew = getHeapStatistics().used_heap_size - before;
      await flush();
      if (collections !== seen) disturbed++;
      else {
        allocated += grew;
        batches++;
      }
    }
    const encodes = batches * BATCH;
    console.log(
      `JS heap allocated per user resource: ${Math.round(allocated / encodes)} bytes ` +
        `(${encodes} encodes in ${batches} batches without a collection; ${disturbed} batches skipped; ` +
        `${Math.round(bytes / users)} bytes encoded)`,
    );
  } else {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < users; i++) encodeMessage(RESOURCE, resources[i]!);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await flush();
    console.log(
      `${users} user resources: ${ms.toFixed(0)} ms, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, ` +
        `${Math.round(users / (ms / 1000))} /s, ${collections} collections (--max-semi-space-size=16)`,
    );
  }
  gcs.disconnect();
}
