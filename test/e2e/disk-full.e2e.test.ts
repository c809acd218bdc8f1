// Issue 11, defect 3: a disk that fills up during a sync (and, since issue 10's fifth pass, before it starts and
// while the c1z is compressed). SQLite answers SQLITE_FULL and may roll the
// transaction back itself; the daemon must report the real cause (not "cannot rollback - no transaction is
// active"), leave no partial file and fail retryably. The disks are real: small tmpfs mounts (needs root, as
// in CI's container; skipped with a printed reason where mounting is not allowed).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as C1zFile from '../../src/c1z/c1z-file.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FinishTaskRequest } from '../fakes/control-plane/index.js';
import { generateDataset, startFakeFivetran, type FakeFivetran } from '../fakes/fivetran/index.js';
import { assertBuilt, CliHarness, fivetranEnv, listDir, REPO_ROOT, type CliProcess } from './harness.js';
import { runTask, serviceSuite, stopService, type Service, type ServiceWorld } from './service-support.js';

assertBuilt();

const UNAVAILABLE = 14;
const C1Z_FILE_JS = pathToFileURL(join(REPO_ROOT, 'dist', 'c1z', 'c1z-file.js')).href;
const mounts: string[] = [];

/** A fresh directory with a tmpfs of `size` mounted on it, or undefined when mounting is not allowed. */
function tinyDisk(size: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'baton-e2e-tinyfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0777`, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    rmdirSync(dir);
    return undefined;
  }
  mounts.push(dir);
  return dir;
}

function unmountAll(): void {
  for (const dir of mounts.splice(0)) {
    spawnSync('umount', [dir]);
    if (existsSync(dir)) rmdirSync(dir);
  }
}

const probe = tinyDisk('64k');
const canMount = probe !== undefined;
if (!canMount) {
  console.warn('disk-full e2e tests skipped: cannot mount a tmpfs here (they need root or CAP_SYS_ADMIN)');
}
const maybe = canMount ? describe : describe.skip;

const harness = new CliHarness();
let fake: FakeFivetran;
beforeAll(async () => {
  // ~600 users make a working database of several MiB; the c1z compresses to well over 64 KiB.
  fake = await startFakeFivetran({ dataset: generateDataset({ seed: 31, users: 600, groups: 4, teams: 4 }) });
});
afterAll(async () => {
  for (const p of harness.processes) if (p.kill('SIGKILL')) await p.waitForExit(5_000).catch(() => undefined);
  unmountAll();
  await harness.cleanup();
  await fake?.close();
});

const oneShot = (args: string[]) => harness.run(args, { env: fivetranEnv(fake) });

const plainLine = (proc: CliProcess): string => {
  const plain = proc.plainStderr.filter((l) => l.trim() !== '');
  expect(plain).toHaveLength(1);
  return plain[0]!;
};

maybe('a one-shot sync whose c1z temp dir fills up', () => {
  let proc: CliProcess;
  let disk: string;
  beforeAll(async () => {
    disk = tinyDisk('1m')!;
    proc = await oneShot(['-f', 'out.c1z', '--c1z-temp-dir', disk]);
  }, 30_000);

  it('exits 1 with the real cause, SQLITE_FULL, as a retryable error', () => {
    expect(proc.exit).toEqual({ code: 1, signal: null });
    const line = plainLine(proc);
    expect(line).not.toContain('cannot rollback');
    const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(line).toMatch(
      new RegExp(
        `^baton-fivetran: sync failed: [a-z ]+ in c1z ${escape(join(proc.cwd, 'out.c1z'))}: disk full in ` +
          `${escape(disk)} \\(SQLITE_FULL: database or disk is full\\); free space or point --c1z-temp-dir ` +
          'elsewhere \\(UNAVAILABLE\\)$',
      ),
    );
  });

  it('leaves neither the c1z nor its working files behind', async () => {
    expect(await listDir(proc.cwd)).toEqual([]);
    expect(await readdir(disk)).toEqual([]);
  });
});

maybe('a one-shot sync whose output folder is too full for the finished c1z', () => {
  let proc: CliProcess;
  let disk: string;
  beforeAll(async () => {
    disk = tinyDisk('64k')!;
    const work = await harness.tempDir('baton-e2e-work-');
    proc = await oneShot(['-f', join(disk, 'out.c1z'), '--c1z-temp-dir', work]);
  }, 30_000);

  it('exits 1 naming the disk-full folder, retryable, and leaves nothing there', async () => {
    expect(proc.exit).toEqual({ code: 1, signal: null });
    const line = plainLine(proc);
    expect(line).toContain(`finish c1z ${join(disk, 'out.c1z')}: disk full in ${disk} (ENOSPC`);
    expect(line).toMatch(/\(UNAVAILABLE\)$/);
    expect(await readdir(disk)).toEqual([]);
  });
});

maybe('a one-shot sync whose working database cannot even be created', () => {
  let proc: CliProcess;
  let disk: string;
  beforeAll(async () => {
    // 64 KiB holds fewer pages than the empty schema needs (16 KiB pages).
    disk = tinyDisk('64k')!;
    proc = await oneShot(['-f', join(disk, 'out.c1z')]);
  }, 30_000);

  it('exits 1 with SQLITE_FULL as a retryable error, not "cannot rollback", and leaves nothing there', async () => {
    expect(proc.exit).toEqual({ code: 1, signal: null });
    const line = plainLine(proc);
    expect(line).not.toContain('cannot rollback');
    expect(line).toContain(
      `create c1z working database for ${join(disk, 'out.c1z')}: disk full in ${disk} (SQLITE_FULL: `,
    );
    expect(line).toMatch(/\(UNAVAILABLE\)$/);
    expect(await readdir(disk)).toEqual([]);
  });
});

// The compressor's output fails while zstd still works on a chunk of input: the pipeline destroys the
// compressor, and that chunk's write never called back. Awaiting it left the event loop empty: the one-shot
// CLI exited 0 with a 64 KiB temp file and no c1z. 20 MB of random bytes make several chunks in flight.
maybe('compressing a database onto a disk that fills up', () => {
  it('rejects with ENOSPC and removes its temp file', async () => {
    const disk = tinyDisk('64k')!;
    const work = await harness.tempDir('baton-e2e-compress-');
    const db = join(work, 'db');
    writeFileSync(db, randomBytes(20 * 1024 * 1024));
    const { writeC1zFile } = (await import(C1Z_FILE_JS)) as typeof C1zFile;
    await expect(writeC1zFile(db, join(disk, 'out.c1z'), {})).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readdir(disk)).toEqual([]);
  }, 30_000);
});

maybe('service mode: a sync whose temp dir fills up', () => {
  const suite = serviceSuite();
  let world: ServiceWorld;
  let service: Service;
  let disk: string;
  let full: FinishTaskRequest;
  let answeredHello = false;

  beforeAll(async () => {
    disk = tinyDisk('1m')!;
    ({ world, service } = await suite.newService({ seed: 32, users: 600 }, { c1zTempDir: disk }));
    full = await runTask(world, service.proc, 'syncFull', {}, 25_000);
    const helloId = world.c1.enqueueTask({ kind: 'hello' });
    answeredHello =
      (await world.c1.waitFor(() => world.c1.hellos().find((h) => h.taskId === helloId), 10_000)) !==
      undefined;
  }, 60_000);
  afterAll(async () => {
    await stopService(service);
  });

  it('finishes UNAVAILABLE, retryable, with the real cause and no upload', () => {
    expect(full.status?.code).toBe(UNAVAILABLE);
    expect(full.error?.nonRetryable ?? false).toBe(false);
    expect(full.success).toBeUndefined();
    expect(full.status?.message).toContain('disk full in');
    expect(full.status?.message).toContain('(SQLITE_FULL: database or disk is full)');
    expect(full.status?.message).not.toContain('cannot rollback');
    expect(world.c1.uploads(full.taskId!)).toEqual([]);
  });

  it('removes its partial files and keeps serving', async () => {
    expect(await readdir(disk)).toEqual([]);
    expect(answeredHello).toBe(true);
  });
});
