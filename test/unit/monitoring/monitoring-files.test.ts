// The generated monitoring files: one source (scripts/monitoring), valid PromQL, a sane dashboard layout,
// alerts that land on README runbooks, chart defaults equal to the source's.
import { describe, expect, it } from '@jest/globals';
import yaml from 'js-yaml';
import { ALERTS, RUNBOOK_BASE_URL, THRESHOLDS } from '../../../scripts/monitoring/alerts.js';
import { readmeWithReference } from '../../../scripts/monitoring/generate.js';
import { registeredMetrics } from '../../../scripts/monitoring/metrics-reference.js';
import { renderMonitoring } from '../../../scripts/monitoring/render.js';
import { dashboardQueries, parsePromql, ruleQueries } from '../../support/monitoring.js';
import { REPO_ROOT, readRepoFile } from '../../support/repo-files.js';

type Json = Record<string, unknown>;
const dashboard = JSON.parse(readRepoFile('deploy/monitoring/baton-fivetran.json')) as Json;
const rules = readRepoFile('deploy/monitoring/prometheus-rule.yaml');
const readme = readRepoFile('README.md');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
const githubAnchors = (markdown: string): Set<string> =>
  new Set(
    [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
      (m[1] ?? '')
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );

describe('generated monitoring files', () => {
  it('are exactly what scripts/monitoring renders (run `npm run monitoring` after editing the source)', () => {
    const rendered = renderMonitoring();
    expect(rendered.size).toBeGreaterThanOrEqual(9);
    for (const [path, content] of rendered) {
      expect({ path, content: readRepoFile(path) }).toEqual({ path, content });
    }
  });

  it('keep the README metrics reference in step with the registry', async () => {
    expect(await readmeWithReference(readme, `${REPO_ROOT}README.md`)).toBe(readme);
  });

  it('list every registered metric in the README, with its type and labels', () => {
    const { own, standard } = registeredMetrics();
    for (const m of own) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${m.name}\` `));
      expect({ metric: m.name, row: row !== undefined }).toEqual({ metric: m.name, row: true });
      const cells = row!.split('|').map((c) => c.trim());
      expect(cells[2]).toBe(m.type);
      expect(cells[3]).toBe(m.labels.map((l) => `\`${l}\``).join(', ') || '—');
    }
    for (const m of standard) expect(readme).toContain(`\`${m.name}\``);
  });

  it('give the chart the same default thresholds and runbook base as the static rule', () => {
    const values = yaml.load(readRepoFile('helm/baton-fivetran/values.yaml')) as {
      metrics: { prometheusRule: { thresholds: Json; runbookBaseUrl: string } };
    };
    expect(values.metrics.prometheusRule.thresholds).toEqual({ ...THRESHOLDS });
    expect(values.metrics.prometheusRule.runbookBaseUrl).toBe(RUNBOOK_BASE_URL);
  });

  it('document every metrics.* chart value in the README', () => {
    const values = yaml.load(readRepoFile('helm/baton-fivetran/values.yaml')) as { metrics: Json };
    const leaves = (o: Json, path: string): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v !== null && typeof v === 'object' && !['labels', 'annotations'].includes(k)
          ? leaves(v as Json, `${path}.${k}`)
          : [`${path}.${k}`],
      );
    const all = leaves(values.metrics, 'metrics');
    expect(all.length).toBeGreaterThanOrEqual(17);
    const rows = readme.split('\n').filter((l) => l.startsWith('| `metrics.'));
    const undocumented = all.filter((leaf) => {
      const last = leaf.slice(leaf.lastIndexOf('.'));
      const parent = leaf.slice(0, leaf.lastIndexOf('.'));
      return !rows.some(
        (r) => r.includes(`\`${leaf}\``) || (r.includes(`\`${parent}.`) && r.includes(`\`${last}\``)),
      );
    });
    expect(undocumented).toEqual([]);
  });
});

describe('PromQL', () => {
  const queries = [...dashboardQueries(dashboard), ...ruleQueries(rules)];

  it('finds the queries of every panel, variable and alert', () => {
    expect(ruleQueries(rules)).toHaveLength(ALERTS.length);
    expect(queries.length).toBeGreaterThan(40);
  });

  it('parses every dashboard and alert expression with the Prometheus grammar', () => {
    const bad = queries
      .map((q) => ({ ...q, errors: parsePromql(q.expr).errors }))
      .filter((q) => q.errors.length > 0);
    expect(bad).toEqual([]);
  });

  it('reports syntax errors (the check above can fail)', () => {
    for (const broken of [
      'sum(rate(baton_tasks_total[5m])',
      'sum by (task_type rate(baton_tasks_total[5m]))',
      'rate(baton_tasks_total{outcome=="error"}[5m])',
      'histogram_quantil(0.9, x)',
    ]) {
      expect({ broken, failed: parsePromql(broken).errors.length > 0 }).toEqual({ broken, failed: true });
    }
  });

  it('extracts the metric names a query reads', () => {
    expect(
      parsePromql(
        'histogram_quantile(0.95, sum by (le) (rate(a_bucket{x="1"}[5m]))) / on() b or {__name__="c"}',
      ).metrics,
    ).toEqual(['a_bucket', 'b', 'c']);
  });
});

describe('alerts', () => {
  const doc = yaml.load(rules) as {
    spec: { groups: { rules: { alert: string; for: string; labels: Json; annotations: Json }[] }[] };
  };
  const all = doc.spec.groups.flatMap((g) => g.rules);
  const anchors = githubAnchors(readme);

  it('cover what the operator must hear about', () => {
    expect(all.map((r) => r.alert).sort()).toEqual(
      [
        'BatonFivetranAbsent',
        'BatonFivetranControlPlaneUnreachable',
        'BatonFivetranCredentialsRejected',
        'BatonFivetranDown',
        'BatonFivetranMemoryNearLimit',
        'BatonFivetranNoRecentSync',
        'BatonFivetranRateLimited',
        'BatonFivetranTaskErrors',
      ].sort(),
    );
  });

  it.each(ALERTS.map((a) => a.alert))(
    '%s has a severity, summary, description and a README runbook',
    (name) => {
      const rule = all.find((r) => r.alert === name)!;
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(String(rule.annotations.summary).length).toBeGreaterThan(10);
      expect(String(rule.annotations.description).length).toBeGreaterThan(20);
      const url = String(rule.annotations.runbook_url);
      expect(url.startsWith(`${RUNBOOK_BASE_URL}#`)).toBe(true);
      const anchor = url.slice(url.indexOf('#') + 1);
      expect({ anchor, inReadme: anchors.has(anchor) }).toEqual({ anchor, inReadme: true });
      expect(rule.for).toMatch(/^\d+[smh]$/);
    },
  );

  it('put the README thresholds in the rules (sync window 12 h, error ratio 0.25, memory 0.9)', () => {
    expect(rules).toContain('> 43200');
    expect(rules).toContain('> 0.25');
    expect(rules).toContain('> 0.9');
  });
});

describe('dashboard', () => {
  const panels = dashboard.panels as (Json & { gridPos: { x: number; y: number; w: number; h: number } })[];
  const vars = ((dashboard.templating as Json).list as Json[]).map((v) => v.name);

  it('is templated on data source, namespace and pod', () => {
    expect(vars).toEqual(['datasource', 'namespace', 'pod']);
  });

  it('has the rows an operator scans top to bottom', () => {
    expect(panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual([
      'Health at a glance',
      'Tasks',
      'Sync',
      'Fivetran API',
      'Control plane',
      'Process',
    ]);
  });

  it('uses the datasource variable and the namespace/pod scope in every panel and query', () => {
    for (const p of panels.filter((x) => x.type !== 'row')) {
      expect({ panel: p.title, ds: p.datasource }).toEqual({
        panel: p.title,
        ds: { type: 'prometheus', uid: '${datasource}' },
      });
      for (const t of p.targets as Json[]) {
        expect((t.datasource as Json).uid).toBe('${datasource}');
        const expr = String(t.expr);
        expect({
          panel: p.title,
          expr,
          scoped: expr.includes('namespace="$namespace", pod=~"$pod"'),
        }).toEqual({
          panel: p.title,
          expr,
          scoped: true,
        });
      }
    }
  });

  it('lays panels on the 24-column grid without overlaps, with unique ids', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      const g = p.gridPos;
      expect({ panel: p.title, fits: g.x >= 0 && g.w > 0 && g.h > 0 && g.x + g.w <= 24 }).toEqual({
        panel: p.title,
        fits: true,
      });
    }
    for (let i = 0; i < panels.length; i++) {
      for (let j = i + 1; j < panels.length; j++) {
        const a = panels[i]!.gridPos;
        const b = panels[j]!.gridPos;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect({ a: panels[i]!.title, b: panels[j]!.title, overlap }).toEqual({
          a: panels[i]!.title,
          b: panels[j]!.title,
          overlap: false,
        });
      }
    }
  });

  it('answers the four questions in its first row: healthy, keeping up, throttled, memory', () => {
    const first = panels.filter((p) => p.type === 'stat' && p.gridPos.y === 1).map((p) => p.title);
    expect(first).toEqual(
      expect.arrayContaining([
        'Connector up',
        'Last successful sync',
        'Fivetran 429s (1h)',
        'Memory of limit',
      ]),
    );
  });
});
