// The repository README and the chart README agree with the chart and the files: every chart value they name
// exists in the schema, every file they name exists, the chart README's YAML examples install, and the values
// table is what scripts/chart-readme.mjs generates from the schema.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import yaml from 'js-yaml';
import { CHART, CREDENTIALS, helmWithValues, k8sToolsSkipReason } from './k8s-tools.js';
import { readRepoFile, REPO_ROOT } from '../support/repo-files.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const readme = readRepoFile('README.md');
const chartReadme = readRepoFile('helm/baton-fivetran/README.md');
const schema = JSON.parse(readRepoFile('helm/baton-fivetran/values.schema.json')) as Obj;
const values = yaml.load(readRepoFile('helm/baton-fivetran/values.yaml')) as Obj;
const docs: [string, string][] = [
  ['README.md', readme],
  ['helm/baton-fivetran/README.md', chartReadme],
];

/** Whether a dotted path names a value: walks closed objects; any key below a free-form map is allowed. */
const isValuePath = (path: string): boolean => {
  let node: Obj | undefined = schema;
  for (const key of path.split('.')) {
    if (!node) return false;
    if (node.properties && node.additionalProperties === false)
      node = node.properties[key] as Obj | undefined;
    else if (node.type === 'object')
      return true; // a free-form map, e.g. extraEnv.NODE_EXTRA_CA_CERTS
    else return false;
  }
  return node !== undefined;
};
const codeSpans = (text: string): string[] => [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);

describe('the READMEs and the chart agree', () => {
  it('every --set key in either README is a chart value', () => {
    const keys = docs.flatMap(([doc, text]) =>
      [...text.matchAll(/--set\s+([\w.]+)=/g)].map((m) => ({ doc, key: m[1]! })),
    );
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.filter((k) => !isValuePath(k.key))).toEqual([]);
  });

  it('every value path named in either README exists in the schema', () => {
    const topLevel = new Set(Object.keys(schema.properties as Obj));
    const named = docs.flatMap(([doc, text]) =>
      codeSpans(text)
        .filter(
          (s) => /^[a-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9_]*)+$/.test(s) && topLevel.has(s.split('.')[0]!),
        )
        .map((path) => ({ doc, path })),
    );
    expect(named.map((n) => n.path)).toEqual(
      expect.arrayContaining(['networkPolicy.enabled', 'image.repository']),
    );
    expect(named.filter((n) => !isValuePath(n.path))).toEqual([]);
    // Bare camelCase names that are top-level values, as the repository README uses them.
    for (const name of ['replicaCount', 'extraVolumes', 'extraVolumeMounts', 'extraEnv']) {
      expect(codeSpans(readme)).toContain(name);
      expect(topLevel).toContain(name);
    }
  });

  it('every file either README names exists', () => {
    const pathLike =
      /^(\.github|deploy|helm|scripts|src|test|protos|bench)\/[\w./*-]*$|^[\w.-]+\.(ya?ml|json)$/;
    const files = docs.flatMap(([doc, text]) =>
      codeSpans(text)
        .filter((s) => pathLike.test(s) && !s.includes('*') && !s.startsWith('.baton'))
        .map((file) => ({ doc, file })),
    );
    const exists = (f: string) =>
      existsSync(join(REPO_ROOT, f)) ||
      existsSync(join(REPO_ROOT, 'deploy', f)) ||
      existsSync(join(CHART, f));
    expect(files.map((f) => f.file)).toEqual(
      expect.arrayContaining(['baton-fivetran-secrets.yaml', 'baton-fivetran.yaml', 'values.schema.json']),
    );
    expect(files.filter((f) => !exists(f.file))).toEqual([]);
  });

  it('both name the deploy files, the default image and the published chart the same way', () => {
    const image = `${values.image.repository}`;
    for (const [, text] of docs) {
      expect(text).toContain('baton-fivetran-secrets.yaml');
      expect(text).toContain(image);
      expect(text).toContain('oci://ghcr.io/baton-fivetran/charts/baton-fivetran');
    }
    expect(readme).toContain('deploy/baton-fivetran.yaml');
    expect(readme).not.toMatch(/deploy\/(secret|deployment)\.yaml/);
  });

  it('the chart README values table is generated from the current schema and values', () => {
    const out = execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/chart-readme.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(out).toContain('up to date');
    for (const path of ['networkPolicy.egressCidrs', 'podDisruptionBudget.maxUnavailable', 'logLevel']) {
      expect(chartReadme).toContain(`| \`${path}\``);
    }
  });
});

(k8sToolsSkipReason ? describe.skip : describe)("the chart README's YAML examples", () => {
  const blocks = [...chartReadme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => yaml.load(m[1]!) as Obj);

  it.each(blocks.map((b, i) => [i, b] as const))(
    'example %i installs (the schema accepts it)',
    (_i, block) => {
      const r = helmWithValues(['install', 'demo', CHART, '--dry-run=client'], {
        credentials: CREDENTIALS,
        ...block,
      });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    },
  );
});
