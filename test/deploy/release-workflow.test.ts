// The release workflow cannot run here; this checks what can be checked: it parses, it references scripts,
// npm scripts and files that exist, it builds what the issue asks (multi-arch image with OCI labels and an
// SBOM, six standalone binaries, the chart as an OCI artifact), and it publishes the image the chart runs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import yaml from 'js-yaml';
import { readRepoFile, REPO_ROOT } from '../support/repo-files.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const text = readRepoFile('.github/workflows/release.yml');
const workflow = yaml.load(text) as Obj;
const jobs = workflow.jobs as Record<string, Obj>;
const steps = (job: string): Obj[] => jobs[job]!.steps as Obj[];
const runs = Object.values(jobs).flatMap((j) => (j.steps as Obj[]).map((s) => String(s.run ?? '')));
const pkg = JSON.parse(readRepoFile('package.json')) as { version: string; scripts: Record<string, string> };
const values = yaml.load(readRepoFile('helm/baton-fivetran/values.yaml')) as Obj;

describe('.github/workflows/release.yml', () => {
  it('runs on v<semver> tags, and every job needs only jobs that exist', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*.*.*'] } });
    for (const job of Object.values(jobs)) {
      for (const need of [job.needs ?? []].flat()) expect(Object.keys(jobs)).toContain(need);
    }
    expect(jobs.release!.needs).toEqual(['binaries', 'image', 'chart']);
  });

  it('uses only versioned actions', () => {
    const uses = Object.values(jobs).flatMap((j) => (j.steps as Obj[]).map((s) => s.uses).filter(Boolean));
    expect(uses.length).toBeGreaterThan(5);
    expect(uses.filter((u) => !/^[\w-]+\/[\w-]+@v\d+$/.test(u as string))).toEqual([]);
  });

  it('calls only npm scripts, scripts/ files and repository paths that exist', () => {
    const npmRuns = runs.flatMap((r) => [...r.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!));
    expect(npmRuns).toEqual(expect.arrayContaining(['build:binary']));
    expect(npmRuns.filter((s) => !(s in pkg.scripts))).toEqual([]);
    expect(runs.join('\n')).toMatch(/npm ci[\s\S]*npm test/);
    const scripts = [...text.matchAll(/scripts\/[\w.-]+/g)].map((m) => m[0]);
    expect(scripts).toContain('scripts/release-versions.mjs');
    expect(scripts.filter((s) => !existsSync(join(REPO_ROOT, s)))).toEqual([]);
    for (const path of ['Dockerfile', 'helm/baton-fivetran']) {
      expect(text).toContain(path);
      expect(existsSync(join(REPO_ROOT, path))).toBe(true);
    }
  });

  it('builds the standalone binary for linux, macOS and Windows on x64 and arm64, and attaches them', () => {
    const targets = (jobs.binaries!.strategy.matrix.include as Obj[]).map((m) => m.target).sort();
    expect(targets).toEqual([
      'darwin-arm64',
      'darwin-x64',
      'linux-arm64',
      'linux-x64',
      'windows-arm64',
      'windows-x64',
    ]);
    const buildScript = readRepoFile('scripts/build-binary.mjs');
    // The file names the workflow expects are the ones the build writes.
    expect(buildScript).toContain('`baton-fivetran-${osName}-${process.arch}');
    expect(buildScript).toMatch(/darwin: 'darwin', win32: 'windows'/);
    expect(
      steps('release')
        .map((s) => String(s.run ?? ''))
        .join('\n'),
    ).toContain('gh release create');
  });

  it('pushes the chart default image for amd64 and arm64 with OCI labels, an SBOM and provenance', () => {
    expect(workflow.env.IMAGE).toBe(values.image.repository);
    const build = steps('image').find((s) => String(s.uses).startsWith('docker/build-push-action'))!;
    expect(build.with).toMatchObject({ platforms: 'linux/amd64,linux/arm64', push: true, sbom: true });
    expect(build.with.labels).toContain('steps.meta.outputs.labels');
    const meta = steps('image').find((s) => String(s.uses).startsWith('docker/metadata-action'))!;
    expect(meta.with.labels).toContain('org.opencontainers.image.title=baton-fivetran');
    expect(meta.with.tags).toContain('type=semver,pattern={{version}}');
    const dockerfile = readRepoFile('Dockerfile');
    for (const label of ['title', 'description', 'licenses', 'version', 'revision']) {
      expect(dockerfile).toContain(`org.opencontainers.image.${label}=`);
    }
  });

  it('publishes the chart as an OCI artifact where the chart README says', () => {
    expect(workflow.env.CHART_REPOSITORY).toBe('oci://ghcr.io/baton-fivetran/charts');
    const chartRun = steps('chart')
      .map((s) => String(s.run ?? ''))
      .join('\n');
    expect(chartRun).toContain('helm package helm/baton-fivetran');
    expect(chartRun).toContain('helm push');
    expect(readRepoFile('helm/baton-fivetran/README.md')).toContain(
      `${workflow.env.CHART_REPOSITORY}/baton-fivetran`,
    );
  });
});

describe('scripts/release-versions.mjs', () => {
  const check = (tag: string) => {
    try {
      execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/release-versions.mjs'), tag], {
        stdio: 'pipe',
      });
      return 0;
    } catch (err) {
      return (err as { status: number }).status;
    }
  };

  it('accepts the tag of the package version (which the chart version and appVersion match)', () => {
    expect(check(`v${pkg.version}`)).toBe(0);
  });

  it('refuses another version or a tag that is not v<semver>', () => {
    expect(check('v99.0.0')).toBe(1);
    expect(check(pkg.version)).toBe(1);
  });
});
