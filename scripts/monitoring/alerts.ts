// The PrometheusRule alerts, written once: `render.ts` turns them into the static kustomize file (thresholds at
// their defaults) and the Helm template (thresholds from values).

/** The Prometheus `job` of the connector: the ServiceMonitor takes it from the Service's app.kubernetes.io/name. */
export const JOB = 'baton-fivetran';

/** Where `runbook_url`s point by default; the chart overrides it with `metrics.prometheusRule.runbookBaseUrl`. */
export const RUNBOOK_BASE_URL = 'https://github.com/baton-fivetran/baton-fivetran/blob/main/README.md';

/** Overridable thresholds: chart value `metrics.prometheusRule.thresholds.<key>`, with their defaults. */
export const THRESHOLDS = {
  /** How long the target must be down (or missing) before the alert fires. */
  downFor: '5m',
  /** No successful sync for this many seconds (12 h) fires `BatonFivetranNoRecentSync`. */
  noSuccessfulSyncSeconds: 43200,
  /** Share of tasks of one type that end in error, over 30 minutes. */
  taskErrorRatio: 0.25,
  taskErrorFor: '15m',
  /** How long Fivetran must keep answering 429 before it counts as sustained. */
  rateLimitedFor: '30m',
  controlPlaneDownFor: '10m',
  /** Resident memory as a share of the container limit. */
  memoryLimitRatio: 0.9,
  memoryFor: '15m',
} as const;

export type ThresholdKey = keyof typeof THRESHOLDS;

/** A placeholder `render.ts` replaces with the default (static file) or a Helm value reference (chart). */
export const t = (key: ThresholdKey): string => `@@${key}@@`;
export const RUNBOOK_TOKEN = '@@runbookBaseUrl@@';

export interface AlertSpec {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: 'critical' | 'warning';
  readonly summary: string;
  readonly description: string;
}

const job = `job="${JOB}"`;

export const ALERTS: readonly AlertSpec[] = [
  {
    alert: 'BatonFivetranDown',
    expr: `up{${job}} == 0`,
    for: t('downFor'),
    severity: 'critical',
    summary: 'The baton-fivetran connector is down or /metrics cannot be scraped.',
    description:
      'Prometheus could not scrape {{ $labels.namespace }}/{{ $labels.pod }} for ' +
      `${t('downFor')}: the connector is not running, not ready, or its ops port is unreachable.`,
  },
  {
    alert: 'BatonFivetranAbsent',
    expr: `absent(up{${job}})`,
    for: t('downFor'),
    severity: 'critical',
    summary: 'No baton-fivetran connector is being scraped at all.',
    description:
      `Prometheus has had no target with ${job} for ${t('downFor')}: the Deployment is gone or scaled ` +
      'to zero, or the ServiceMonitor no longer selects the metrics Service.',
  },
  {
    alert: 'BatonFivetranNoRecentSync',
    // Before the first sync of a pod, its start time stands in, so a fresh pod has a full window to sync.
    expr:
      `time() - max by (namespace) (baton_sync_last_success_timestamp_seconds{${job}} > 0 ` +
      `or process_start_time_seconds{${job}}) > ${t('noSuccessfulSyncSeconds')}`,
    for: '5m',
    severity: 'warning',
    summary: 'No successful Fivetran sync for a long time.',
    description:
      'The connector in {{ $labels.namespace }} has not uploaded a successful sync for ' +
      '{{ $value | humanizeDuration }} (threshold ' +
      `${t('noSuccessfulSyncSeconds')} s): ConductorOne shows stale Fivetran access.`,
  },
  {
    alert: 'BatonFivetranTaskErrors',
    expr:
      `sum by (namespace, task_type) (rate(baton_tasks_total{${job}, outcome=~"error|no_finish"}[30m])) ` +
      `/ sum by (namespace, task_type) (rate(baton_tasks_total{${job}}[30m])) > ${t('taskErrorRatio')}`,
    for: t('taskErrorFor'),
    severity: 'warning',
    summary: 'Many baton-fivetran tasks fail.',
    description:
      '{{ $value | humanizePercentage }} of {{ $labels.task_type }} tasks in {{ $labels.namespace }} ' +
      `ended in error over the last 30 minutes (threshold ${t('taskErrorRatio')}).`,
  },
  {
    alert: 'BatonFivetranCredentialsRejected',
    expr: `sum by (namespace, status) (increase(baton_fivetran_requests_total{${job}, status=~"401|403"}[10m])) > 0`,
    for: '0m',
    severity: 'critical',
    summary: 'Fivetran rejects the connector credentials.',
    description:
      'Fivetran answered HTTP {{ $labels.status }} {{ $value | humanize }} times in 10 minutes in ' +
      '{{ $labels.namespace }}: the API key or secret is wrong, rotated, expired, or lacks a permission.',
  },
  {
    alert: 'BatonFivetranRateLimited',
    expr: `sum by (namespace) (rate(baton_fivetran_requests_total{${job}, status="429"}[10m])) > 0`,
    for: t('rateLimitedFor'),
    severity: 'warning',
    summary: 'Fivetran has been rate limiting the connector for a sustained period.',
    description:
      `Fivetran has answered 429 Too Many Requests in {{ $labels.namespace }} for ${t('rateLimitedFor')}: ` +
      "the account's hourly API quota (shared with other integrations) is exhausted and syncs slow down or fail.",
  },
  {
    alert: 'BatonFivetranControlPlaneUnreachable',
    expr: `max by (namespace, pod) (baton_control_plane_up{${job}}) == 0`,
    for: t('controlPlaneDownFor'),
    severity: 'critical',
    summary: 'The connector cannot reach the ConductorOne control plane.',
    description:
      '{{ $labels.namespace }}/{{ $labels.pod }} has failed its Hello/GetTask calls for ' +
      `${t('controlPlaneDownFor')}: no task is received or reported.`,
  },
  {
    alert: 'BatonFivetranMemoryNearLimit',
    expr:
      `max by (namespace, pod) (process_resident_memory_bytes{${job}} ` +
      `/ baton_memory_limit_bytes{${job}}) > ${t('memoryLimitRatio')}`,
    for: t('memoryFor'),
    severity: 'warning',
    summary: 'The connector uses most of its memory limit.',
    description:
      '{{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory ' +
      `limit (threshold ${t('memoryLimitRatio')}); it risks being OOM-killed in the middle of a sync.`,
  },
];

/** The README anchor of an alert's runbook: GitHub's slug of its `#### AlertName` heading. */
export const runbookAnchor = (alert: string): string => alert.toLowerCase();
