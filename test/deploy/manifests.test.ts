// The plain manifests in deploy/ (what ConductorOne's setup page tells users to create), rendered with real
// `kubectl kustomize`; every workload anywhere (manifests and chart renders) against the Pod Security
// "restricted" profile; and every BATON_* name in manifests, chart and Secret against the configuration keys.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import yaml from 'js-yaml';
import { envName, fields } from '../../src/config/schema.js';
import { ALL_ON } from './chart-values.js';
import {
  CHART,
  CREDENTIALS,
  k8sToolsSkipReason,
  kubectl,
  parseObjects,
  renderChart,
  type K8sObject,
} from './k8s-tools.js';
import { readRepoFile, REPO_ROOT } from '../support/repo-files.js';
import { podTemplateOf, restrictedViolations } from './pod-security.js';

const describeKubectl = k8sToolsSkipReason ? describe.skip : describe;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SECRET_FILE = 'deploy/baton-fivetran-secrets.yaml';
const DEPLOYMENT_FILE = 'deploy/baton-fivetran.yaml';

describe('deploy/ files', () => {
  it('are the two files the setup page names, and kustomization.yaml lists exactly them', () => {
    expect(readdirSync(join(REPO_ROOT, 'deploy')).sort()).toEqual([
      'baton-fivetran-secrets.yaml',
      'baton-fivetran.yaml',
      'kustomization.yaml',
      'monitoring', // the optional monitoring kustomize set (README "Monitoring")
    ]);
    const k = yaml.load(readRepoFile('deploy/kustomization.yaml')) as Obj;
    expect(k.resources).toEqual(['baton-fivetran-secrets.yaml', 'baton-fivetran.yaml']);
  });

  it('quote every value YAML would otherwise retype', () => {
    const secretText = readRepoFile(SECRET_FILE);
    const deploymentText = readRepoFile(DEPLOYMENT_FILE);
    expect(secretText).toContain('BATON_PROVISIONING: "true"');
    expect(deploymentText).toContain('baton: "true"');
    expect(deploymentText).toContain('baton-app: "fivetran"');
    // Parsed, every stringData value, label and env value is a string (the API server rejects anything else).
    const secret = yaml.load(secretText) as Obj;
    const deployment = yaml.load(deploymentText) as Obj;
    const strings = [
      ...Object.values(secret.stringData as Obj),
      ...Object.values(deployment.spec.template.metadata.labels as Obj),
      ...(deployment.spec.template.spec.containers[0].env as Obj[])
        .filter((e) => 'value' in e)
        .map((e) => e.value),
    ];
    expect(strings.filter((s) => typeof s !== 'string')).toEqual([]);
  });
});

describeKubectl('kubectl kustomize deploy/', () => {
  const r = kubectl(['kustomize', 'deploy']);
  const objects = r.code === 0 ? parseObjects(r.stdout) : [];
  const secret = objects.find((o) => o.kind === 'Secret') as Obj;
  const deployment = objects.find((o) => o.kind === 'Deployment') as Obj;

  it('renders the Secret and the Deployment', () => {
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/baton-fivetran',
      'Secret/baton-fivetran-secrets',
    ]);
  });

  it("has the setup page's Secret keys", () => {
    expect(secret.type).toBe('Opaque');
    expect(Object.keys(secret.stringData as Obj).sort()).toEqual([
      'BATON_CLIENT_ID',
      'BATON_CLIENT_SECRET',
      'BATON_FIVETRAN_API_KEY',
      'BATON_FIVETRAN_API_SECRET',
      'BATON_PROVISIONING',
    ]);
    expect(secret.stringData.BATON_PROVISIONING).toBe('true');
  });

  it("has the setup page's Deployment names, labels and Secret reference", () => {
    expect(deployment.metadata.labels).toEqual({ app: 'baton-fivetran' });
    expect(deployment.spec.selector.matchLabels).toEqual({ app: 'baton-fivetran' });
    expect(deployment.spec.template.metadata.labels).toEqual({
      app: 'baton-fivetran',
      baton: 'true',
      'baton-app': 'fivetran',
    });
    const c = deployment.spec.template.spec.containers[0] as Obj;
    expect(c.name).toBe('baton-fivetran');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.envFrom).toEqual([{ secretRef: { name: 'baton-fivetran-secrets' } }]);
    expect((c.env as Obj[]).find((e) => e.name === 'BATON_HOST_ID')).toEqual({
      name: 'BATON_HOST_ID',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
  });

  it("runs the chart's default image", () => {
    const values = yaml.load(readRepoFile('helm/baton-fivetran/values.yaml')) as Obj;
    const chart = yaml.load(readRepoFile('helm/baton-fivetran/Chart.yaml')) as Obj;
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      `${values.image.repository}:${chart.appVersion}`,
    );
  });
});

describeKubectl('every rendered workload meets the Pod Security restricted profile', () => {
  const renders: [string, K8sObject[]][] = [
    ['kubectl kustomize deploy/', parseObjects(kubectl(['kustomize', 'deploy']).stdout)],
    ['the chart with defaults', renderChart({ credentials: CREDENTIALS }).objects],
    ['the chart with an existing Secret', renderChart({ existingSecret: 'baton-fivetran-secrets' }).objects],
    ['the chart with every optional value on', renderChart(ALL_ON).objects],
  ];

  it.each(renders)('%s', (_name, objects) => {
    const workloads = objects.filter((o) => podTemplateOf(o));
    expect(workloads.length).toBeGreaterThan(0);
    for (const w of workloads) {
      const { metadata, spec } = podTemplateOf(w)!;
      expect({
        workload: `${w.kind}/${w.metadata.name}`,
        violations: restrictedViolations(spec, metadata.annotations as Obj),
      }).toEqual({
        workload: `${w.kind}/${w.metadata.name}`,
        violations: [],
      });
    }
  });
});

describeKubectl('BATON_* names in manifests, chart and Secret', () => {
  /** Every configuration key: one per setting in src/config/schema.ts (env-only ones included), and the config file's. */
  const configKeys = new Set([...fields.map((f) => envName(f.flag)), 'BATON_CONFIG_PATH']);
  const filesUnder = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? filesUnder(p) : [p];
    });
  const sources: [string, string][] = [
    ...[...filesUnder(join(REPO_ROOT, 'deploy')), ...filesUnder(CHART)].map((p): [string, string] => [
      relative(REPO_ROOT, p),
      readFileSync(p, 'utf8'),
    ]),
    ['kubectl kustomize deploy/', kubectl(['kustomize', 'deploy']).stdout],
    ['chart render (defaults)', renderChart({ credentials: CREDENTIALS }).text],
    ['chart render (all on)', renderChart(ALL_ON).text],
  ];
  const found = sources.flatMap(([where, text]) =>
    [...text.matchAll(/\bBATON_[A-Z0-9_]+\b/g)].map((m) => ({ where, name: m[0] })),
  );

  it('finds the names (the scan is not empty)', () => {
    const names = new Set(found.map((f) => f.name));
    for (const n of [
      'BATON_CLIENT_ID',
      'BATON_FIVETRAN_API_SECRET',
      'BATON_HOST_ID',
      'BATON_OPS_LISTEN_ADDRESS',
    ]) {
      expect(names).toContain(n);
    }
  });

  it('are all real configuration keys', () => {
    expect(found.filter((f) => !configKeys.has(f.name))).toEqual([]);
  });
});
