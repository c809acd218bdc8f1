import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { probeWritable, removeOwnTempFilesSync, removeStaleTempFiles } from '../../../src/tasks/index.js';

describe('temp files', () => {
  let dir: string;
  let elsewhere: string | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'temp-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
    if (elsewhere) await rm(elsewhere, { recursive: true, force: true });
  });

  const ours = ['baton-sdk-sync-upload123', 'baton-sdk-sync-upload9.0123456789ab.tmp'];
  const notOurs = [
    'baton-sdk-sync-upload',
    'baton-sdk-sync-upload12a',
    'baton-sdk-sync-upload1.tmp',
    'baton-sdk-sync-upload1.0123456789a.tmp', // 11 hex: not the c1z writer's 6 random bytes
    'x-baton-sdk-sync-upload1',
    '.c1z-work-file', // a file, not a directory
    'notes.txt',
  ];

  async function populate(): Promise<void> {
    for (const name of [...ours, ...notOurs]) await writeFile(join(dir, name), 'x');
    await mkdir(join(dir, '.c1z-work-AbC123'));
    await writeFile(join(dir, '.c1z-work-AbC123', 'db'), 'x');
    await mkdir(join(dir, '.c1z-work-toolongname'));
    await mkdir(join(dir, 'c1z-work-AbC123'));
    // A directory with an upload file's name is not ours either.
    await mkdir(join(dir, 'baton-sdk-sync-upload77'));
    await writeFile(join(dir, 'baton-sdk-sync-upload77', 'keep'), 'x');
    // A symlink with our name is never followed or removed.
    elsewhere = await mkdtemp(join(tmpdir(), 'temp-files-target-'));
    await writeFile(join(elsewhere, 'keep'), 'x');
    await symlink(elsewhere, join(dir, '.c1z-work-Link00'));
  }

  const kept = [
    ...notOurs,
    '.c1z-work-toolongname',
    'c1z-work-AbC123',
    'baton-sdk-sync-upload77',
    '.c1z-work-Link00',
  ].sort();

  it('removes only our own names: upload files, their compress temp files and writer work dirs', async () => {
    await populate();
    const removed = await removeStaleTempFiles(dir);
    expect(await readdir(elsewhere!)).toEqual(['keep']);
    expect(removed.sort()).toEqual([...ours, '.c1z-work-AbC123'].sort());
    expect((await readdir(dir)).sort()).toEqual(kept);
  });

  it('does the same synchronously', async () => {
    await populate();
    expect(removeOwnTempFilesSync(dir)).toHaveLength(3);
    expect((await readdir(dir)).sort()).toEqual(kept);
  });

  it('probes a directory by writing a file, leaving nothing behind', async () => {
    expect(await probeWritable(dir)).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
    const file = join(dir, 'plain-file');
    await writeFile(file, 'x');
    expect(await probeWritable(file)).toMatch(/ENOTDIR/);
  });
});
