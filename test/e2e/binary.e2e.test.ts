// The standalone executable (`npm run build:binary`: Node's single-executable application) run with no `node`
// on PATH: --help, --version, capabilities, a one-shot sync and service mode, against the same fakes as the
// other e2e tests. The test builds the binary itself (a few seconds; bounded below) so it checks this tree.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { C1zReader } from '../../src/c1z/index.js';
import { generateDataset, startFakeFivetran, type FakeFivetran } from '../fakes/fivetran/index.js';
import { CliHarness, REPO_ROOT } from './harness.js';
import {
  finishOf,
  startService,
  startWorld,
  stopService,
  type Service,
  type ServiceWorld,
} from './service-support.js';

const OS = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform as string];
const SUPPORTED_ARCH = ['x64', 'arm64'].includes(process.arch);
const BINARY = join(
  REPO_ROOT,
  'dist-bin',
  `baton-fivetran-${OS}-${process.arch}${OS === 'windows' ? '.exe' : ''}`,
);
// Building is impossible on a platform Node's single executables do not cover, or with a node built without
// their fuse (some distribution builds); then the suite is skipped with the reason printed.
const hasSeaFuse = (): boolean =>
  readFileSync(process.execPath).includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2');
const skipReason =
  !OS || !SUPPORTED_ARCH
    ? `no single-executable build for ${process.platform}-${process.arch}`
    : !hasSeaFuse()
      ? `${process.execPath} was built without single-executable support`
      : '';
if (skipReason) console.warn(`binary.e2e: SKIPPED: ${skipReason}`);
const describeBinary = skipReason ? describe.skip : describe;

const BUILD_TIMEOUT_MS = 240_000;
const buildBinary = (): Promise<string> =>
  new Promise((resolveBuild, reject) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'scripts', 'build-binary.mjs')],
      { cwd: REPO_ROOT, timeout: BUILD_TIMEOUT_MS, maxBuffer: 4 << 20 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`npm run build:binary failed: ${err.message}\n${stderr}`))
          : resolveBuild(stdout),
    );
  });

describeBinary('the single-executable binary, with no node on PATH', () => {
  const setup = new CliHarness();
  let harness: CliHarness;
  let noNodePath: string;
  let fivetran: FakeFivetran;

  beforeAll(async () => {
    await buildBinary();
    // PATH is an empty folder: the binary must not need node (or anything else) from it.
    noNodePath = await setup.tempDir('baton-e2e-path-');
    harness = new CliHarness({ executable: BINARY, env: { PATH: noNodePath } });
    fivetran = await startFakeFivetran({
      dataset: generateDataset({ seed: 13, users: 20, groups: 3, teams: 2 }),
    });
  }, BUILD_TIMEOUT_MS + 10_000);
  afterAll(async () => {
    await harness?.cleanup();
    await setup.cleanup();
    await fivetran?.close();
  });

  it('was built, and PATH holds no node', () => {
    expect(existsSync(BINARY)).toBe(true);
    expect(existsSync(join(noNodePath, 'node'))).toBe(false);
  });

  it('prints --help and the version from its embedded package.json', async () => {
    const help = await harness.run(['--help']);
    expect(help.exit).toEqual({ code: 0, signal: null });
    expect(help.stdout).toContain('Usage:');
    expect(help.stdout).toContain('$BATON_FIVETRAN_API_KEY');
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const version = await harness.run(['--version']);
    expect(version.stdout.trim()).toBe(`baton-fivetran version ${pkg.version}`);
  });

  it('prints capabilities from its embedded protos', async () => {
    const proc = await harness.run(['capabilities']);
    expect(proc.exit).toEqual({ code: 0, signal: null });
    const caps = JSON.parse(proc.stdout) as { '@type': string; resourceTypeCapabilities: unknown[] };
    expect(caps['@type']).toBe('type.googleapis.com/c1.connector.v2.ConnectorCapabilities');
    expect(caps.resourceTypeCapabilities).toHaveLength(6);
  });

  it('runs a one-shot sync into a c1z the reader opens', async () => {
    const proc = await harness.run(['--fivetran-base-url', fivetran.baseUrl, '-f', 'out.c1z'], {
      env: {
        BATON_FIVETRAN_API_KEY: fivetran.keys.admin.key,
        BATON_FIVETRAN_API_SECRET: fivetran.keys.admin.secret,
      },
    });
    expect({ exit: proc.exit, plain: proc.plainStderr }).toEqual({
      exit: { code: 0, signal: null },
      plain: [],
    });
    const reader = await C1zReader.open(join(proc.cwd, 'out.c1z'));
    try {
      expect(
        reader
          .resourceTypes()
          .map((t) => t.id)
          .sort(),
      ).toEqual(['connection', 'group', 'role', 'system_key', 'team', 'user']);
      const users = [...reader.resources({ resourceTypeId: 'user' })];
      expect(users).toHaveLength(20);
    } finally {
      reader.close();
    }
  }, 30_000);

  describe('in service mode', () => {
    let world: ServiceWorld;
    let service: Service;

    beforeAll(async () => {
      world = await startWorld({ seed: 17, users: 10 });
      service = await startService(harness, world);
    }, 30_000);
    afterAll(async () => {
      await stopService(service);
      await world?.close();
    });

    it('says Hello over TLS, runs a sync_full task, uploads it and finishes with success', async () => {
      const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
      const finish = await finishOf(world, service.proc, taskId, 20_000);
      expect(finish.error).toBeUndefined();
      expect(finish.success).toBeDefined();
      expect(world.c1.uploads(taskId)).toHaveLength(1);
      expect(world.c1.violations).toEqual([]);
    }, 30_000);

    it('stops cleanly on SIGTERM', async () => {
      expect(await stopService(service)).toEqual({ code: 0, signal: null });
    });
  });
});
