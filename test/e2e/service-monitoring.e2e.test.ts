// The daemon as operators watch it: /metrics after a sync and a provisioning task holds every series the
// dashboard and the alerts query, and with BATON_LOG_FORMAT=json every output line is JSON, even with the
// control plane at an IP address (where Node would warn about a TLS server name).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dashboardQueries, parsePromql, ruleQueries, SCRAPE_SERIES } from '../support/monitoring.js';
import { readRepoFile } from '../support/repo-files.js';
import { assertBuilt, type Exit } from './harness.js';
import {
  entitlement,
  grantPayload,
  httpGet,
  opsPort,
  pollUntil,
  resource,
  runTask,
  serviceSuite,
  startService,
  stopService,
  userPrincipal,
  type Service,
  type ServiceWorld,
} from './service-support.js';

assertBuilt();

const { harness, newWorld } = serviceSuite();

/** `name{labels}` → value, from the Prometheus text format. */
function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m) out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

describe('service mode seen from ops tooling (control plane at 127.0.0.1)', () => {
  let world: ServiceWorld;
  let service: Service;
  let series: Map<string, number>;
  let exposition: string;
  let uploadedBytes: number;
  let exit: Exit | undefined;

  beforeAll(async () => {
    world = await newWorld({ seed: 9 });
    const c1Port = world.c1.host.split(':').pop();
    service = await startService(harness, world, {
      provisioning: true,
      env: { BATON_C1_API_HOST: `127.0.0.1:${c1Port}` },
    });
    const sync = await runTask(world, service.proc, 'syncFull', {}, 20_000);
    expect(sync.success).toBeDefined();
    uploadedBytes = world.c1.uploads().reduce((n, u) => n + u.bytes.length, 0);
    const { dataset, state } = world.fivetran;
    const reserved = new Set([dataset.adminUserId, dataset.reviewerUserId, dataset.serviceAccountUserId]);
    const user = [...state.users.values()].find((u) => u.active && u.role === null && !reserved.has(u.id))!;
    const granted = await runTask(
      world,
      service.proc,
      'grant',
      grantPayload(entitlement(resource('role', 'Account Billing'), 'assigned'), userPrincipal(user.id)),
    );
    expect(granted.success).toBeDefined();
    // The fake records FinishTask before the daemon sees its answer: wait until both tasks are counted.
    const port = await opsPort(service.proc);
    exposition = await pollUntil(
      async () => {
        const res = await httpGet(port, '/metrics');
        const s = parseExposition(res.body);
        // The task is counted when it ends; its FinishTask call (retried within the lease) is counted after.
        return res.status === 200 &&
          s.get('baton_tasks_total{task_type="grant",outcome="success"}') === 1 &&
          (s.get('baton_control_plane_calls_total{method="FinishTask",code="OK"}') ?? 0) >= 2
          ? res.body
          : undefined;
      },
      10_000,
      'the grant task in /metrics',
    );
    series = parseExposition(exposition);
    exit = await stopService(service);
  }, 60_000);
  afterAll(() => stopService(service));

  it('exposes every metric the dashboard and the alerts query', () => {
    const exposed = new Set([...series.keys()].map((k) => k.replace(/\{.*$/, '')));
    const dashboard = JSON.parse(readRepoFile('deploy/monitoring/baton-fivetran.json')) as Record<
      string,
      unknown
    >;
    const queries = [
      ...dashboardQueries(dashboard),
      ...ruleQueries(readRepoFile('deploy/monitoring/prometheus-rule.yaml')),
    ];
    const missing = queries.flatMap((q) =>
      parsePromql(q.expr)
        .metrics.filter((name) => !exposed.has(name) && !SCRAPE_SERIES.has(name))
        .map((name) => `${name} (${q.where})`),
    );
    expect(missing).toEqual([]);
    expect(queries.flatMap((q) => parsePromql(q.expr).metrics).length).toBeGreaterThan(40);
  });

  it('names process and Node.js metrics as prom-client does, without the baton_ prefix', () => {
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      // Any kind: a short run need not make a major collection (prom-client shows a kind once one happened).
      'nodejs_gc_duration_seconds_count{kind=',
    ]) {
      expect({ name, exposed: [...series.keys()].some((k) => k.startsWith(name)) }).toEqual({
        name,
        exposed: true,
      });
    }
    expect(exposition).not.toMatch(/^baton_(process|nodejs)_/m);
    expect(series.get('baton_memory_limit_bytes')).toBeGreaterThan(0);
  });

  it('counts control-plane calls by method and code, and reports the control plane up', () => {
    expect(series.get('baton_control_plane_up')).toBe(1);
    expect(series.get('baton_control_plane_calls_total{method="Hello",code="OK"}')).toBeGreaterThanOrEqual(1);
    expect(series.get('baton_control_plane_calls_total{method="GetTask",code="OK"}')).toBeGreaterThanOrEqual(
      2,
    );
    expect(series.get('baton_control_plane_calls_total{method="UploadAsset",code="OK"}')).toBe(1);
    expect(
      series.get('baton_control_plane_calls_total{method="FinishTask",code="OK"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(series.get('baton_control_plane_token_refreshes_total{outcome="success"}')).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('reports the sync: duration by outcome, c1z size, upload bytes and time, last success per task type', () => {
    expect(uploadedBytes).toBeGreaterThan(0);
    expect(series.get('baton_sync_last_c1z_bytes')).toBe(uploadedBytes);
    expect(series.get('baton_upload_bytes_total')).toBe(uploadedBytes);
    expect(series.get('baton_upload_duration_seconds_count{outcome="success"}')).toBe(1);
    expect(series.get('baton_sync_duration_seconds_count{outcome="success"}')).toBe(1);
    const now = Date.now() / 1000;
    for (const type of ['sync_full', 'grant']) {
      const at = series.get(`baton_task_last_success_timestamp_seconds{task_type="${type}"}`) ?? 0;
      expect({ type, recent: at > now - 120 && at <= now + 1 }).toEqual({ type, recent: true });
    }
  });

  it("reports Fivetran's X-Rate-Limit-Remaining", () => {
    const left = series.get('baton_fivetran_rate_limit_remaining');
    const requests = [...series.entries()]
      .filter(([k]) => k.startsWith('baton_fivetran_requests_total{'))
      .reduce((n, [, v]) => n + v, 0);
    expect(requests).toBeGreaterThan(0);
    // The fake's hourly budget is 20,000 and this world has made only these requests.
    expect(left).toBeLessThanOrEqual(20_000 - requests);
    expect(left).toBeGreaterThan(19_000);
  });

  it('prints nothing but JSON lines, and no TLS server-name (DEP0123) warning', () => {
    expect(exit).toEqual({ code: 0, signal: null });
    const lines = `${service.proc.stdout}\n${service.proc.stderr}`.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(5);
    const notJson = lines.filter((l) => {
      try {
        return typeof JSON.parse(l) !== 'object';
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    const warnings = service.proc.logs.filter((l) => l.msg === 'process warning');
    expect(warnings.map((w) => (w.warning as { code?: string }).code)).not.toContain('DEP0123');
  });
});
