import { totalmem } from 'node:os';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric the daemon exports, on its own registry (no prom-client global state). Process and Node.js
 * metrics keep prom-client's standard unprefixed names (`process_*`, `nodejs_*`) so the community dashboards
 * and alerts for Node.js services find them; our own carry `baton_`. Labels are bounded sets (task types,
 * endpoint templates, gRPC code names, outcomes), never ids or emails.
 */
export function createMetrics(o: { version: string; collectProcess?: boolean }) {
  const registry = new Registry();
  if (o.collectProcess !== false) collectDefaultMetrics({ register: registry });
  const m = {
    registry,
    buildInfo: new Gauge({
      name: 'baton_build_info',
      help: 'Build information; always 1',
      labelNames: ['version', 'node_version'],
      registers: [registry],
    }),
    tasks: new Counter({
      name: 'baton_tasks_total',
      help: 'Tasks finished, by type and outcome (success, error, cancelled, no_finish)',
      labelNames: ['task_type', 'outcome'],
      registers: [registry],
    }),
    taskDuration: new Histogram({
      name: 'baton_task_duration_seconds',
      help: 'Time from task start to FinishTask',
      labelNames: ['task_type'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers: [registry],
    }),
    tasksInFlight: new Gauge({
      name: 'baton_tasks_in_flight',
      help: 'Tasks running now',
      registers: [registry],
    }),
    syncObjects: new Gauge({
      name: 'baton_sync_last_objects',
      help: 'Rows written by the last successful sync, by kind (resources, entitlements, grants)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    syncLastSuccess: new Gauge({
      name: 'baton_sync_last_success_timestamp_seconds',
      help: 'Unix time of the last successful sync',
      registers: [registry],
    }),
    fivetranRequests: new Counter({
      name: 'baton_fivetran_requests_total',
      help: 'HTTP requests to Fivetran, by endpoint template and status',
      labelNames: ['endpoint', 'status'],
      registers: [registry],
    }),
    fivetranDuration: new Histogram({
      name: 'baton_fivetran_request_duration_seconds',
      help: 'Fivetran request latency by endpoint template',
      labelNames: ['endpoint'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    fivetranRetries: new Counter({
      name: 'baton_fivetran_retries_total',
      help: 'Fivetran requests retried, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    fivetranRateLimitWait: new Counter({
      name: 'baton_fivetran_rate_limit_wait_seconds_total',
      help: 'Time spent waiting because of Fivetran rate limits',
      registers: [registry],
    }),
    controlPlaneErrors: new Counter({
      name: 'baton_control_plane_errors_total',
      help: 'Failed calls to the ConductorOne control plane, by method',
      labelNames: ['method'],
      registers: [registry],
    }),
    taskLastSuccess: new Gauge({
      name: 'baton_task_last_success_timestamp_seconds',
      help: 'Unix time the last task of this type finished successfully',
      labelNames: ['task_type'],
      registers: [registry],
    }),
    syncDuration: new Histogram({
      name: 'baton_sync_duration_seconds',
      help: 'Time of a full sync from start to uploaded (or failed), by outcome (success, error, cancelled)',
      labelNames: ['outcome'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
      registers: [registry],
    }),
    syncC1zBytes: new Gauge({
      name: 'baton_sync_last_c1z_bytes',
      help: 'Size of the c1z file of the last successful sync',
      registers: [registry],
    }),
    uploadBytes: new Counter({
      name: 'baton_upload_bytes_total',
      help: 'Bytes of c1z files uploaded to the control plane (successful uploads)',
      registers: [registry],
    }),
    uploadDuration: new Histogram({
      name: 'baton_upload_duration_seconds',
      help: 'Time to upload a c1z file to the control plane, retries included, by outcome (success, error)',
      labelNames: ['outcome'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    fivetranRateLimitRemaining: new Gauge({
      name: 'baton_fivetran_rate_limit_remaining',
      help: 'Fivetran requests left in the current quota window (X-Rate-Limit-Remaining of the latest response; 0 after a 429; NaN until a response reported it)',
      registers: [registry],
    }),
    controlPlaneCalls: new Counter({
      name: 'baton_control_plane_calls_total',
      help: 'Calls to the ConductorOne control plane, by method and gRPC status code name (OK, UNAVAILABLE, ...)',
      labelNames: ['method', 'code'],
      registers: [registry],
    }),
    controlPlaneUp: new Gauge({
      name: 'baton_control_plane_up',
      help: '1 when the latest Hello or GetTask(s) call succeeded, 0 when it failed',
      registers: [registry],
    }),
    memoryLimit: new Gauge({
      name: 'baton_memory_limit_bytes',
      help: 'Memory the process may use: the container (cgroup) limit, or the total system memory when there is none',
      registers: [registry],
      collect() {
        this.set(memoryLimitBytes());
      },
    }),
    tokenRefreshes: new Counter({
      name: 'baton_control_plane_token_refreshes_total',
      help: 'Control-plane access token requests, by outcome (success, error)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    // --- reliability (issue 11)
    duplicateTasks: new Counter({
      name: 'baton_tasks_duplicate_total',
      help: 'Task deliveries dropped because the same task id was running or had finished recently',
      registers: [registry],
    }),
  };
  m.buildInfo.set({ version: o.version, node_version: process.versions.node }, 1);
  // Series that alerts and panels rate() exist from the start at 0, so the first increase is seen.
  for (const reason of ['rate_limited', 'network']) m.fivetranRetries.inc({ reason }, 0);
  for (const outcome of ['success', 'error']) m.tokenRefreshes.inc({ outcome }, 0);
  // Unknown is not 0 (which would read as "quota exhausted"): Fivetran may not send the header at all.
  m.fivetranRateLimitRemaining.set(NaN);
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** `process.constrainedMemory()` reports 0 or a huge sentinel when no cgroup limit applies. */
export function memoryLimitBytes(): number {
  const system = totalmem();
  const constrained = process.constrainedMemory();
  return constrained > 0 && constrained < system ? constrained : system;
}
