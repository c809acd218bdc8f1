// Reads the PromQL out of the generated dashboard and rules, and checks it with the Prometheus project's own
// grammar (@prometheus-io/lezer-promql). Shared by the monitoring unit tests and the /metrics e2e test.
import { parser } from '@prometheus-io/lezer-promql';
import yaml from 'js-yaml';

export interface Query {
  /** Where it was found, for failure messages. */
  readonly where: string;
  readonly expr: string;
}

/** Grafana variables as a real query would see them after interpolation. */
const interpolateGrafana = (expr: string): string =>
  expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?(\w+)\}?/g, (_, name: string) => `grafana_${name}`);

export interface Parsed {
  /** Positions and text of the grammar's error nodes; empty when the expression is valid PromQL. */
  readonly errors: string[];
  /** Metric names the expression selects. */
  readonly metrics: string[];
}

export function parsePromql(expr: string): Parsed {
  const errors: string[] = [];
  const metrics = new Set<string>();
  const tree = parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.type.isError)
        errors.push(`at ${node.from}: «${expr.slice(Math.max(0, node.from - 20), node.to + 20)}»`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        metrics.add(expr.slice(node.from, node.to));
      }
      if (node.name === 'UnquotedLabelMatcher') {
        const text = expr.slice(node.from, node.to);
        const m = /^__name__\s*=\s*"([^"]+)"$/.exec(text);
        if (m?.[1]) metrics.add(m[1]);
      }
    },
  });
  return { errors, metrics: [...metrics] };
}

type Json = Record<string, unknown>;

/** Every panel target's expression, and the metric each template variable query reads, interpolated. */
export function dashboardQueries(dashboard: Json): Query[] {
  const out: Query[] = [];
  for (const panel of (dashboard.panels as Json[]) ?? []) {
    for (const target of (panel.targets as Json[] | undefined) ?? []) {
      out.push({ where: `panel "${String(panel.title)}"`, expr: interpolateGrafana(String(target.expr)) });
    }
  }
  const variables = ((dashboard.templating as Json).list as Json[]) ?? [];
  for (const v of variables.filter((x) => x.type === 'query')) {
    const q = String((v.query as Json).query);
    const m = /^label_values\((.+),\s*\w+\)$/.exec(q);
    if (!m?.[1]) throw new Error(`variable ${String(v.name)}: not label_values(selector, label): ${q}`);
    out.push({ where: `variable ${String(v.name)}`, expr: interpolateGrafana(m[1]) });
  }
  return out;
}

/** Every rule expression of a PrometheusRule document (YAML text of one object). */
export function ruleQueries(ruleYaml: string): Query[] {
  const doc = yaml.load(ruleYaml) as { spec: { groups: { rules: { alert: string; expr: string }[] }[] } };
  return doc.spec.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })));
}

/** Series Prometheus makes up itself for every target, not read from /metrics. */
export const SCRAPE_SERIES = new Set(['up']);
