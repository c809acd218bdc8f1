// The chart and the kustomize set with monitoring on, rendered by the real helm and kubectl
// (scripts/k8s-tools.sh installs them into a cache on first use).
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from '@jest/globals';
import yaml from 'js-yaml';
import { parsePromql } from '../../support/monitoring.js';
import { REPO_ROOT, readRepoFile } from '../../support/repo-files.js';
import { k8sTools } from '../../deploy/k8s-tools.js';

type Doc = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
} & Record<string, unknown>;

const run = (tool: 'helm' | 'kubectl', args: string[]): string =>
  execFileSync(k8sTools()[tool], args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
const docs = (text: string): Doc[] =>
  yaml.loadAll(text).filter((d): d is Doc => d !== null && d !== undefined);

const ALL_ON = [
  'existingSecret=baton-secrets',
  'metrics.serviceMonitor.enabled=true',
  'metrics.serviceMonitor.interval=15s',
  'metrics.serviceMonitor.labels.release=kps',
  'metrics.prometheusRule.enabled=true',
  'metrics.prometheusRule.labels.release=kps',
  'metrics.prometheusRule.runbookBaseUrl=https://runbooks.example.com/baton',
  'metrics.prometheusRule.thresholds.taskErrorRatio=0.4',
  'metrics.prometheusRule.thresholds.noSuccessfulSyncSeconds=7200',
  'metrics.prometheusRule.thresholds.rateLimitedFor=1h',
  'metrics.dashboard.enabled=true',
  'metrics.dashboard.annotations.grafana_folder=Connectors',
];

beforeAll(() => {
  k8sTools();
}, 600_000);

describe('helm chart with every monitoring value on', () => {
  let rendered: Doc[];
  beforeAll(() => {
    rendered = docs(
      run('helm', [
        'template',
        'demo',
        'helm/baton-fivetran',
        '--namespace',
        'conn',
        '--set',
        ALL_ON.join(','),
      ]),
    );
  });
  const one = (kind: string) => {
    const found = rendered.filter((d) => d.kind === kind);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('passes helm lint', () => {
    expect(run('helm', ['lint', 'helm/baton-fivetran', '--set', ALL_ON.join(',')])).toContain(
      '0 chart(s) failed',
    );
  });

  it('renders a ServiceMonitor that selects the metrics Service and its ops port', () => {
    const sm = one('ServiceMonitor') as Doc & { spec: Record<string, unknown> };
    const svc = rendered.find((d) => d.kind === 'Service')! as Doc & { spec: { ports: { name: string }[] } };
    expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(sm.metadata.labels?.release).toBe('kps');
    const selector = (sm.spec.selector as { matchLabels: Record<string, string> }).matchLabels;
    for (const [k, v] of Object.entries(selector)) expect(svc.metadata.labels?.[k]).toBe(v);
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: ['conn'] });
    expect(sm.spec.jobLabel).toBe('app.kubernetes.io/name');
    expect(svc.metadata.labels?.['app.kubernetes.io/name']).toBe('baton-fivetran');
    expect(sm.spec.endpoints).toEqual([
      { port: 'ops', path: '/metrics', interval: '15s', scrapeTimeout: '10s' },
    ]);
    expect(svc.spec.ports.map((p) => p.name)).toContain('ops');
  });

  it('renders the PrometheusRule with the overridden thresholds, labels and runbook base', () => {
    const rule = one('PrometheusRule') as Doc & {
      spec: {
        groups: {
          rules: { alert: string; expr: string; for: string; annotations: Record<string, string> }[];
        }[];
      };
    };
    expect(rule.metadata.labels?.release).toBe('kps');
    const rules = rule.spec.groups.flatMap((g) => g.rules);
    expect(rules).toHaveLength(8);
    for (const r of rules) {
      expect({ alert: r.alert, errors: parsePromql(r.expr).errors }).toEqual({ alert: r.alert, errors: [] });
      expect(r.annotations.runbook_url).toBe(`https://runbooks.example.com/baton#${r.alert.toLowerCase()}`);
      // Prometheus templating survives Helm's.
      expect(r.annotations.description).not.toContain('{{`');
    }
    const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
    expect(byName.BatonFivetranTaskErrors!.expr).toMatch(/> 0\.4$/);
    expect(byName.BatonFivetranNoRecentSync!.expr).toMatch(/> 7200$/);
    expect(byName.BatonFivetranRateLimited!.for).toBe('1h');
    expect(byName.BatonFivetranDown!.annotations.description).toContain('{{ $labels.namespace }}');
  });

  it('renders the dashboard ConfigMap for the Grafana sidecar, holding the very dashboard of deploy/monitoring', () => {
    const cm = one('ConfigMap') as Doc & {
      data: Record<string, string>;
      metadata: { annotations?: Record<string, string> };
    };
    expect(cm.metadata.labels?.grafana_dashboard).toBe('1');
    expect(cm.metadata.annotations).toEqual({ grafana_folder: 'Connectors' });
    expect(JSON.parse(cm.data['baton-fivetran.json']!)).toEqual(
      JSON.parse(readRepoFile('deploy/monitoring/baton-fivetran.json')),
    );
  });

  it('renders none of them by default', () => {
    const plain = docs(run('helm', ['template', 'demo', 'helm/baton-fivetran', '--set', 'existingSecret=x']));
    expect(plain.map((d) => d.kind).sort()).toEqual(['Deployment', 'Service', 'ServiceAccount']);
  });

  it('refuses a ServiceMonitor without the metrics Service', () => {
    expect(() =>
      run('helm', [
        'template',
        'demo',
        'helm/baton-fivetran',
        '--set',
        'existingSecret=x,metrics.serviceMonitor.enabled=true,ops.metricsService=false',
      ]),
    ).toThrow(/metrics.serviceMonitor.enabled needs ops.metricsService/);
  });
});

describe('kustomize set deploy/monitoring', () => {
  it('renders the same rule, a dashboard ConfigMap labelled for the sidecar, a Service and a ServiceMonitor', () => {
    const out = docs(run('kubectl', ['kustomize', 'deploy/monitoring']));
    expect(out.map((d) => d.kind).sort()).toEqual([
      'ConfigMap',
      'PrometheusRule',
      'Service',
      'ServiceMonitor',
    ]);
    const cm = out.find((d) => d.kind === 'ConfigMap')! as Doc & { data: Record<string, string> };
    expect(cm.metadata.labels?.grafana_dashboard).toBe('1');
    expect(JSON.parse(cm.data['baton-fivetran.json']!)).toEqual(
      JSON.parse(readRepoFile('helm/baton-fivetran/dashboards/baton-fivetran.json')),
    );
    const rule = out.find((d) => d.kind === 'PrometheusRule')!;
    expect(rule.spec).toEqual(
      (yaml.load(readRepoFile('deploy/monitoring/prometheus-rule.yaml')) as Doc).spec,
    );
    // The Service fronts the pods of deploy/baton-fivetran.yaml.
    const deployment = docs(readRepoFile('deploy/baton-fivetran.yaml')).find(
      (d) => d.kind === 'Deployment',
    ) as Doc & {
      spec: { template: { metadata: { labels: Record<string, string> } } };
    };
    const svc = out.find((d) => d.kind === 'Service')! as Doc & {
      spec: { selector: Record<string, string> };
    };
    for (const [k, v] of Object.entries(svc.spec.selector)) {
      expect(deployment.spec.template.metadata.labels[k]).toBe(v);
    }
  });
});
