// The Grafana dashboard, as data. Rows answer, top to bottom: is it healthy, is it keeping up (tasks, syncs),
// is Fivetran throttling us, is the control plane answering, is the process (memory, CPU, event loop) fine.
import { JOB } from './alerts.js';

const DS = { type: 'prometheus', uid: '${datasource}' } as const;
/** Every query's scope: the namespace and pod variables. */
const SEL = 'namespace="$namespace", pod=~"$pod"';
const RI = '$__rate_interval';
/** Syncs run every few hours at most: their panels look at a window wide enough to hold one. */
const SYNC_WINDOW = '6h';

type Unit = 'short' | 's' | 'bytes' | 'percentunit' | 'reqps' | 'ops' | 'Bps' | 'dateTimeFromNow' | 'none';

interface Target {
  readonly expr: string;
  readonly legend?: string;
  /** Instant query (stat panels). */
  readonly instant?: boolean;
}

interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: Unit;
  readonly targets: readonly Target[];
  readonly w: number;
  readonly h?: number;
}

interface StatSpec extends PanelSpec {
  /** Ascending [value, colour] steps; the first value is ignored (base). */
  readonly steps?: readonly (readonly [number | null, string])[];
  readonly mappings?: readonly object[];
}

const valueText = (map: Record<string, [string, string]>) => [
  {
    type: 'value',
    options: Object.fromEntries(
      Object.entries(map).map(([v, [text, color]], index) => [v, { text, color, index }]),
    ),
  },
];

const target = (t: Target, i: number) => ({
  datasource: DS,
  refId: String.fromCharCode(65 + i),
  expr: t.expr,
  legendFormat: t.legend ?? '__auto',
  range: !t.instant,
  instant: Boolean(t.instant),
});

const thresholds = (steps: readonly (readonly [number | null, string])[]) => ({
  mode: 'absolute',
  steps: steps.map(([value, color], i) => ({ color, value: i === 0 ? null : value })),
});

let nextId = 1;

function stat(s: StatSpec) {
  return {
    type: 'stat',
    title: s.title,
    description: s.description,
    datasource: DS,
    targets: s.targets.map((t, i) => target({ ...t, instant: true }, i)),
    fieldConfig: {
      defaults: {
        unit: s.unit,
        decimals: s.unit === 'percentunit' ? 1 : undefined,
        color: { mode: 'thresholds' },
        thresholds: thresholds(s.steps ?? [[null, 'green']]),
        mappings: s.mappings ?? [],
        noValue: 'no data',
      },
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'background',
      graphMode: 'none',
      textMode: 'value',
      justifyMode: 'center',
      orientation: 'auto',
    },
    w: s.w,
    h: s.h ?? 4,
  };
}

function series(s: PanelSpec & { stack?: boolean; max?: number }) {
  return {
    type: 'timeseries',
    title: s.title,
    description: s.description,
    datasource: DS,
    targets: s.targets.map((t, i) => target(t, i)),
    fieldConfig: {
      defaults: {
        unit: s.unit,
        min: 0,
        ...(s.max !== undefined ? { max: s.max } : {}),
        custom: {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: s.stack ? 60 : 10,
          showPoints: 'never',
          spanNulls: false,
          stacking: { mode: s.stack ? 'normal' : 'none', group: 'A' },
        },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    w: s.w,
    h: s.h ?? 8,
  };
}

type Built = ReturnType<typeof stat> | ReturnType<typeof series>;

interface RowSpec {
  readonly title: string;
  readonly panels: readonly Built[];
}

const rate = (metric: string, extra = '') => `rate(${metric}{${SEL}${extra}}[${RI}])`;
const p = (q: number, by: string, metric: string, window = RI, extra = '') =>
  `histogram_quantile(${q}, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}_bucket{${SEL}${extra}}[${window}])))`;

const ROWS: readonly RowSpec[] = [
  {
    title: 'Health at a glance',
    panels: [
      stat({
        title: 'Connector up',
        description: 'Pods Prometheus scrapes successfully right now (0 = down or not scraped).',
        unit: 'short',
        w: 3,
        targets: [{ expr: `sum(up{job="${JOB}", ${SEL}})` }],
        steps: [
          [null, 'red'],
          [1, 'green'],
        ],
      }),
      stat({
        title: 'Control plane',
        description: 'Whether the latest Hello/GetTask call to ConductorOne succeeded.',
        unit: 'none',
        w: 3,
        targets: [{ expr: `min(baton_control_plane_up{${SEL}})` }],
        mappings: valueText({ '0': ['unreachable', 'red'], '1': ['connected', 'green'] }),
        steps: [
          [null, 'red'],
          [1, 'green'],
        ],
      }),
      stat({
        title: 'Last successful sync',
        description:
          'Time since the last sync was uploaded (since the pod started when it has not synced yet).',
        unit: 's',
        w: 3,
        targets: [
          {
            expr: `time() - max(baton_sync_last_success_timestamp_seconds{${SEL}} > 0 or process_start_time_seconds{${SEL}})`,
          },
        ],
        steps: [
          [null, 'green'],
          [21600, 'orange'],
          [43200, 'red'],
        ],
      }),
      stat({
        title: 'Tasks in flight',
        description: 'Tasks running now, across the selected pods.',
        unit: 'short',
        w: 3,
        targets: [{ expr: `sum(baton_tasks_in_flight{${SEL}})` }],
      }),
      stat({
        title: 'Task errors (1h)',
        description: 'Share of tasks that ended in error or unfinished over the last hour.',
        unit: 'percentunit',
        w: 3,
        targets: [
          {
            expr: `sum(increase(baton_tasks_total{${SEL}, outcome=~"error|no_finish"}[1h])) / sum(increase(baton_tasks_total{${SEL}}[1h]))`,
          },
        ],
        steps: [
          [null, 'green'],
          [0.05, 'orange'],
          [0.25, 'red'],
        ],
      }),
      stat({
        title: 'Fivetran 429s (1h)',
        description:
          'Rate-limited answers from Fivetran over the last hour; more than 0 means we are throttled.',
        unit: 'short',
        w: 3,
        targets: [
          { expr: `sum(increase(baton_fivetran_requests_total{${SEL}, status="429"}[1h])) or vector(0)` },
        ],
        steps: [
          [null, 'green'],
          [1, 'orange'],
          [50, 'red'],
        ],
      }),
      stat({
        title: 'Fivetran quota left',
        description:
          'X-Rate-Limit-Remaining of the latest Fivetran response (0 after a 429); "not reported" until Fivetran sends it.',
        unit: 'short',
        w: 3,
        targets: [{ expr: `min(baton_fivetran_rate_limit_remaining{${SEL}})` }],
        mappings: [
          { type: 'special', options: { match: 'nan', result: { text: 'not reported', color: 'text' } } },
        ],
        steps: [
          [null, 'red'],
          [100, 'orange'],
          [1000, 'green'],
        ],
      }),
      stat({
        title: 'Memory of limit',
        description: 'Resident memory as a share of the container memory limit (highest pod).',
        unit: 'percentunit',
        w: 3,
        targets: [{ expr: `max(process_resident_memory_bytes{${SEL}} / baton_memory_limit_bytes{${SEL}})` }],
        steps: [
          [null, 'green'],
          [0.75, 'orange'],
          [0.9, 'red'],
        ],
      }),
    ],
  },
  {
    title: 'Tasks',
    panels: [
      series({
        title: 'Tasks finished by type and outcome',
        description: 'Tasks per second, by task type and outcome (success, error, cancelled, no_finish).',
        unit: 'ops',
        w: 8,
        stack: true,
        targets: [
          {
            expr: `sum by (task_type, outcome) (${rate('baton_tasks_total')})`,
            legend: '{{task_type}} {{outcome}}',
          },
        ],
      }),
      series({
        title: 'Task error ratio by type',
        description: 'Share of tasks of each type that ended in error or unfinished.',
        unit: 'percentunit',
        w: 8,
        max: 1,
        targets: [
          {
            expr:
              `sum by (task_type) (${rate('baton_tasks_total', ', outcome=~"error|no_finish"')}) ` +
              `/ sum by (task_type) (${rate('baton_tasks_total')})`,
            legend: '{{task_type}}',
          },
        ],
      }),
      series({
        title: 'Task duration p50 / p95',
        description: 'Time from task start to FinishTask, by task type.',
        unit: 's',
        w: 8,
        targets: [
          { expr: p(0.5, 'task_type', 'baton_task_duration_seconds'), legend: 'p50 {{task_type}}' },
          { expr: p(0.95, 'task_type', 'baton_task_duration_seconds'), legend: 'p95 {{task_type}}' },
        ],
      }),
    ],
  },
  {
    title: 'Sync',
    panels: [
      series({
        title: `Sync duration (mean over ${SYNC_WINDOW})`,
        description: 'Mean time of a full sync from start to upload, by outcome.',
        unit: 's',
        w: 6,
        targets: [
          {
            expr:
              `sum by (outcome) (increase(baton_sync_duration_seconds_sum{${SEL}}[${SYNC_WINDOW}])) ` +
              `/ sum by (outcome) (increase(baton_sync_duration_seconds_count{${SEL}}[${SYNC_WINDOW}]))`,
            legend: '{{outcome}}',
          },
        ],
      }),
      series({
        title: 'Objects in the last sync',
        description: 'Resources, entitlements and grants written by the last successful sync.',
        unit: 'short',
        w: 6,
        targets: [{ expr: `max by (kind) (baton_sync_last_objects{${SEL}})`, legend: '{{kind}}' }],
      }),
      series({
        title: 'c1z size of the last sync',
        description: 'Size of the uploaded c1z file of the last successful sync.',
        unit: 'bytes',
        w: 6,
        targets: [{ expr: `max(baton_sync_last_c1z_bytes{${SEL}})`, legend: 'c1z' }],
      }),
      series({
        title: `Upload time (p95 over ${SYNC_WINDOW})`,
        description: 'Time to upload the c1z to ConductorOne, retries included, by outcome.',
        unit: 's',
        w: 6,
        targets: [
          {
            expr: p(0.95, 'outcome', 'baton_upload_duration_seconds', SYNC_WINDOW),
            legend: 'p95 {{outcome}}',
          },
        ],
      }),
    ],
  },
  {
    title: 'Fivetran API',
    panels: [
      series({
        title: 'Requests by endpoint and status',
        description: 'Fivetran HTTP requests per second (status 0 = no response: network error).',
        unit: 'reqps',
        w: 8,
        stack: true,
        targets: [
          {
            expr: `sum by (endpoint, status) (${rate('baton_fivetran_requests_total')})`,
            legend: '{{status}} {{endpoint}}',
          },
        ],
      }),
      series({
        title: 'Latency p95 by endpoint',
        description: 'Fivetran request latency, 95th percentile.',
        unit: 's',
        w: 8,
        targets: [
          { expr: p(0.95, 'endpoint', 'baton_fivetran_request_duration_seconds'), legend: '{{endpoint}}' },
        ],
      }),
      series({
        title: 'Retries by reason',
        description: 'Fivetran requests retried per second: rate_limited (429), http_5xx, network.',
        unit: 'ops',
        w: 8,
        stack: true,
        targets: [
          { expr: `sum by (reason) (${rate('baton_fivetran_retries_total')})`, legend: '{{reason}}' },
        ],
      }),
      series({
        title: 'Throttling: 429s and time spent waiting',
        description:
          '429 answers per second, and seconds per second spent waiting because of rate limits (1 = always waiting).',
        unit: 'short',
        w: 8,
        targets: [
          {
            expr: `sum(${rate('baton_fivetran_requests_total', ', status="429"')})`,
            legend: '429 per second',
          },
          {
            expr: `sum(${rate('baton_fivetran_rate_limit_wait_seconds_total')})`,
            legend: 'waiting (s/s)',
          },
        ],
      }),
      series({
        title: 'Rate-limit remaining',
        description: 'X-Rate-Limit-Remaining of the latest Fivetran response, per pod.',
        unit: 'short',
        w: 8,
        targets: [{ expr: `baton_fivetran_rate_limit_remaining{${SEL}}`, legend: '{{pod}}' }],
      }),
      series({
        title: 'Rejected credentials (401/403)',
        description: 'Fivetran 401 and 403 answers per second: a wrong, rotated or under-privileged key.',
        unit: 'reqps',
        w: 8,
        targets: [
          {
            expr: `sum by (status, endpoint) (${rate('baton_fivetran_requests_total', ', status=~"401|403"')})`,
            legend: '{{status}} {{endpoint}}',
          },
        ],
      }),
    ],
  },
  {
    title: 'Control plane',
    panels: [
      series({
        title: 'Calls by method and code',
        description: 'ConductorOne BatonService calls per second, by method and gRPC status code.',
        unit: 'ops',
        w: 8,
        stack: true,
        targets: [
          {
            expr: `sum by (method, code) (${rate('baton_control_plane_calls_total')})`,
            legend: '{{method}} {{code}}',
          },
        ],
      }),
      series({
        title: 'Errors by method',
        description: 'Calls that did not end OK, per second, by method.',
        unit: 'ops',
        w: 8,
        targets: [
          {
            expr: `sum by (method) (${rate('baton_control_plane_calls_total', ', code!="OK"')})`,
            legend: '{{method}}',
          },
        ],
      }),
      series({
        title: 'Token refreshes and connectivity',
        description: 'Access-token requests per second by outcome, and whether the control plane is up (1).',
        unit: 'short',
        w: 8,
        targets: [
          {
            expr: `sum by (outcome) (${rate('baton_control_plane_token_refreshes_total')})`,
            legend: 'token {{outcome}}',
          },
          { expr: `min(baton_control_plane_up{${SEL}})`, legend: 'up' },
        ],
      }),
    ],
  },
  {
    title: 'Process',
    panels: [
      series({
        title: 'CPU',
        description: 'CPU seconds used per second, per pod.',
        unit: 'short',
        w: 6,
        targets: [{ expr: rate('process_cpu_seconds_total'), legend: '{{pod}}' }],
      }),
      series({
        title: 'Memory: resident and limit',
        description: 'Resident set size against the container memory limit.',
        unit: 'bytes',
        w: 6,
        targets: [
          { expr: `process_resident_memory_bytes{${SEL}}`, legend: 'rss {{pod}}' },
          { expr: `baton_memory_limit_bytes{${SEL}}`, legend: 'limit {{pod}}' },
        ],
      }),
      series({
        title: 'Heap',
        description: 'V8 heap used and total, and external memory (buffers).',
        unit: 'bytes',
        w: 6,
        targets: [
          { expr: `nodejs_heap_size_used_bytes{${SEL}}`, legend: 'used {{pod}}' },
          { expr: `nodejs_heap_size_total_bytes{${SEL}}`, legend: 'total {{pod}}' },
          { expr: `nodejs_external_memory_bytes{${SEL}}`, legend: 'external {{pod}}' },
        ],
      }),
      series({
        title: 'Event-loop lag and GC',
        description: 'Event-loop lag p99, and seconds per second spent in garbage collection by kind.',
        unit: 's',
        w: 6,
        targets: [
          { expr: `nodejs_eventloop_lag_p99_seconds{${SEL}}`, legend: 'lag p99 {{pod}}' },
          {
            expr: `sum by (kind) (${rate('nodejs_gc_duration_seconds_sum')})`,
            legend: 'gc {{kind}}',
          },
        ],
      }),
    ],
  },
];

/** Lays the rows out on Grafana's 24-column grid, left to right, wrapping to a new line when full. */
function layout(rows: readonly RowSpec[]) {
  nextId = 1;
  const panels: object[] = [];
  let y = 0;
  for (const row of rows) {
    panels.push({
      type: 'row',
      id: nextId++,
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const { w, h, ...panel } of row.panels) {
      if (x + w > 24) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      panels.push({ ...panel, id: nextId++, gridPos: { h, w, x, y } });
      x += w;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  return panels;
}

/** The dashboard JSON model (Grafana 10+), for file provisioning or the Grafana sidecar. */
export function dashboard() {
  return {
    uid: 'baton-fivetran',
    title: 'baton-fivetran',
    description:
      'ConductorOne baton connector for Fivetran: health, tasks, syncs, Fivetran API, control plane, process.',
    tags: ['baton', 'conductorone', 'fivetran'],
    editable: true,
    graphTooltip: 1,
    refresh: '1m',
    schemaVersion: 39,
    time: { from: 'now-24h', to: 'now' },
    timezone: 'browser',
    annotations: { list: [] },
    links: [],
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
          refresh: 1,
          regex: '',
        },
        {
          name: 'namespace',
          label: 'Namespace',
          type: 'query',
          datasource: DS,
          query: { query: 'label_values(baton_build_info, namespace)', refId: 'namespace' },
          definition: 'label_values(baton_build_info, namespace)',
          current: {},
          refresh: 2,
          sort: 1,
          includeAll: false,
          multi: false,
        },
        {
          name: 'pod',
          label: 'Pod',
          type: 'query',
          datasource: DS,
          query: { query: 'label_values(baton_build_info{namespace="$namespace"}, pod)', refId: 'pod' },
          definition: 'label_values(baton_build_info{namespace="$namespace"}, pod)',
          current: {},
          refresh: 2,
          sort: 1,
          includeAll: true,
          allValue: '.*',
          multi: true,
        },
      ],
    },
    panels: layout(ROWS),
  };
}
