import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { lstat, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WORK_DIR_PREFIX } from '../c1z/index.js';
import { TEMP_FILE_PREFIX } from './full-sync.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// The names this program creates in the temp dir, and nothing else: the sync's upload file
// (`baton-sdk-sync-upload<digits>`), the c1z writer's temp file beside it while it compresses
// (`<upload file>.<12 hex>.tmp`) and the writer's working directory (`.c1z-work-` + mkdtemp's 6 characters).
const OWN_FILE = new RegExp(`^${escape(TEMP_FILE_PREFIX)}\\d+(\\.[0-9a-f]{12}\\.tmp)?$`);
const OWN_DIR = new RegExp(`^${escape(WORK_DIR_PREFIX)}[A-Za-z0-9]{6}$`);

/** Whether `name` is one of ours: a regular file or a directory with our exact name pattern (never a symlink). */
const isOwnTempEntry = (name: string, kind: { isFile(): boolean; isDirectory(): boolean }): boolean =>
  (kind.isFile() && OWN_FILE.test(name)) || (kind.isDirectory() && OWN_DIR.test(name));

/**
 * Removes what a killed predecessor left in `dir` (a SIGKILL or OOM kill runs no cleanup). Only our own name
 * patterns are touched, so the directory must belong to this daemon: the chart and the manifests give each pod
 * its own. Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const stat = await lstat(path).catch(() => undefined);
    if (!stat || !isOwnTempEntry(name, stat)) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** The same, synchronously: for the moment before a forced exit, when no promise will run again. */
export function removeOwnTempFilesSync(dir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      if (!isOwnTempEntry(name, lstatSync(path))) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // gone already, or not ours to remove: the exit goes on
    }
  }
  return removed;
}

/**
 * Creates, writes and deletes a small file in `dir`: a directory can exist and still refuse files (read-only
 * mount, wrong owner, a file where the directory should be). Resolves undefined when it works, else the reason.
 */
export async function probeWritable(dir: string): Promise<string | undefined> {
  const path = join(dir, `.baton-fivetran-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const file = await open(path, 'wx', 0o600);
    try {
      await file.write('probe');
    } finally {
      await file.close();
    }
    await rm(path, { force: true });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
