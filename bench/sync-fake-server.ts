// The fake Fivetran of `npm run bench`, in its own process (forked by sync-fivetran.ts), so its CPU is not on
// the measured path: a real Fivetran is another machine. It generates the account once and, per run, starts
// a fake with that run's latency; every fake shares one memo of serialised GET bodies and the same keys, so
// a page is serialised once per bench, not once per run (a sync only reads, so the bodies never change).
//
// Messages from the parent: { cmd: 'start', latencyMs } → { baseUrl, keys, minimumRequests };
// { cmd: 'stop' } → { requests, maxInFlight, meanResponseMs, statuses, cpuMs } (the fake closed); { cmd: 'exit' }.
import {
  generateDataset,
  minimumSyncRequests,
  startFakeFivetran,
  type DatasetOptions,
  type FakeFivetran,
} from '../test/fakes/fivetran/index.js';

const datasetOptions = JSON.parse(process.argv[2] ?? '{}') as DatasetOptions;
const dataset = generateDataset(datasetOptions);
const bodies = new Map<string, Buffer>();
let keys: FakeFivetran['keys'] | undefined;
let fake: FakeFivetran | undefined;
let cpu0 = process.cpuUsage();

type Command = { cmd: 'start'; latencyMs: number } | { cmd: 'stop' } | { cmd: 'exit' };

const reply = (message: unknown) => process.send?.(message);

process.on('message', (message: Command) => {
  void (async () => {
    if (message.cmd === 'start') {
      fake = await startFakeFivetran({
        dataset,
        latencyMs: message.latencyMs,
        hourlyQuota: 10_000_000,
        memoiseGetBodies: bodies,
        ...(keys ? { keys } : {}),
      });
      keys = fake.keys;
      cpu0 = process.cpuUsage();
      reply({
        baseUrl: fake.baseUrl,
        keys: fake.keys.admin,
        minimumRequests: minimumSyncRequests(fake.state),
      });
    } else if (message.cmd === 'stop' && fake) {
      const cpu = process.cpuUsage(cpu0);
      const statuses: Record<string, number> = {};
      for (const r of fake.requests) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      const stats = {
        requests: fake.requestCount(),
        maxInFlight: fake.maxInFlight,
        meanResponseMs: fake.meanResponseMs,
        statuses,
        cpuMs: (cpu.user + cpu.system) / 1000,
      };
      await fake.close();
      fake = undefined;
      reply(stats);
    } else if (message.cmd === 'exit') {
      await fake?.close();
      process.disconnect();
    }
  })();
});
reply({ ready: true });
