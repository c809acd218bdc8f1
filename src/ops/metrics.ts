import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every metric the daemon exports, on its own registry (no prom-client global state). */
export function createMetrics(o: { version: string; collectProcess?: boolean }) {
  const registry = new Registry();
  if (o.collectProcess !== false) collectDefaultMetrics({ register: registry, prefix: 'baton_' });
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
    // --- reliability (issue 11)
    duplicateTasks: new Counter({
      name: 'baton_tasks_duplicate_total',
      help: 'Task deliveries dropped because the same task id was running or had finished recently',
      registers: [registry],
    }),
  };
  m.buildInfo.set({ version: o.version, node_version: process.versions.node }, 1);
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
