import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { C1zReader } from '../../src/c1z/index.js';
import { generateDataset, startFakeFivetran, type FakeFivetran } from '../fakes/fivetran/index.js';
import { assertBuilt, c1zPlainBytes, CliHarness, fivetranEnv, listDir, scanForSecrets } from './harness.js';

assertBuilt();

const harness = new CliHarness();
const c1zFiles: Buffer[] = [];
let fake: FakeFivetran;

beforeAll(async () => {
  fake = await startFakeFivetran({ dataset: generateDataset({ seed: 23, users: 30, groups: 4, teams: 3 }) });
});
afterAll(async () => {
  await harness.cleanup();
  await fake?.close();
});

/** Runs the CLI in `cwd` and returns it with the Fivetran requests it made, as `METHOD path`. */
async function run(cwd: string, args: string[]) {
  fake.reset();
  const proc = await harness.run(['-f', 'sync.c1z', ...args], { cwd, env: fivetranEnv(fake) });
  return { proc, requests: fake.requests.map((r) => `${r.method} ${r.path}`).sort() };
}

const open = async (cwd: string) => {
  const bytes = await readFile(join(cwd, 'sync.c1z'));
  c1zFiles.push(bytes);
  return C1zReader.open(join(cwd, 'sync.c1z'));
};

describe('one-shot --sync-resources', () => {
  let cwd: string;
  let fullSyncId: string;

  beforeAll(async () => {
    cwd = await harness.tempDir('baton-e2e-targeted-');
    const { proc } = await run(cwd, []);
    expect(proc.exit).toEqual({ code: 0, signal: null });
    const reader = await open(cwd);
    fullSyncId = reader.latestFinishedSync('full')!.syncId;
    await reader.close();
  }, 30_000);

  it('adds a partial sync of one team to the file, its parent the full sync already there', async () => {
    const { state } = fake;
    const [teamId, members] = [...state.teamUsers].find(
      ([t, m]) => m.size > 0 && state.teamGroups.get(t)?.size,
    )!;
    const groupIds = [...state.teamGroups.get(teamId)!.keys()];
    const { proc, requests } = await run(cwd, ['--sync-resources', `bid:r:team/${teamId}`]);
    expect(proc.exit).toEqual({ code: 0, signal: null });
    expect(requests).toEqual(
      [
        'GET /v1/account/info',
        'GET /v1/roles',
        `GET /v1/teams/${teamId}`,
        `GET /v1/teams/${teamId}/users`,
        `GET /v1/teams/${teamId}/groups`,
        `GET /v1/teams/${teamId}/connections`,
        ...groupIds.map((g) => `GET /v1/groups/${g}`),
      ].sort(),
    );
    const reader = await open(cwd);
    try {
      const runs = reader.syncRuns();
      expect(runs.map((r) => [r.syncType, r.parentSyncId])).toEqual([
        ['full', ''],
        ['partial', fullSyncId],
      ]);
      const partial = runs[1]!.syncId;
      const resources = [...reader.resources({ syncId: partial })].map(
        (r) => `${r.id.resourceType}:${r.id.resource}`,
      );
      expect(resources.sort()).toEqual([`team:${teamId}`, ...groupIds.map((g) => `group:${g}`)].sort());
      const memberGrants = [...reader.grants({ syncId: partial, entitlementId: `team:${teamId}:member` })];
      expect(memberGrants.map((g) => g.grant.principal.id.resource).sort()).toEqual(
        [...members.keys()].sort(),
      );
      // The full sync is untouched and still the file's complete view.
      expect(reader.stats({ syncId: fullSyncId }).resourcesByResourceType?.['user']).toBe(state.users.size);
      expect(reader.latestFinishedSync('full')?.syncId).toBe(fullSyncId);
    } finally {
      await reader.close();
    }
    expect(await listDir(cwd)).toEqual(['sync.c1z']);
  });

  it('writes a partial sync with no parent into a new file, skipping a user that does not exist', async () => {
    const fresh = await harness.tempDir('baton-e2e-targeted-new-');
    const userId = [...fake.state.users.keys()][2]!;
    const groupId = [...fake.state.groups.keys()][0]!;
    const { proc, requests } = await run(fresh, [
      '--sync-resources',
      `bid:r:user/${userId},bid:r:user/no_such_user,bid:r:group/${groupId}`,
    ]);
    expect(proc.exit).toEqual({ code: 0, signal: null });
    expect(requests).toEqual(
      [
        'GET /v1/account/info',
        'GET /v1/roles',
        `GET /v1/users/${userId}`,
        'GET /v1/users/no_such_user',
        `GET /v1/groups/${groupId}`,
        `GET /v1/groups/${groupId}/users`,
      ].sort(),
    );
    expect(proc.logs).toContainEqual(
      expect.objectContaining({
        msg: 'skipping targeted resource: not found',
        resourceId: 'user:no_such_user',
      }),
    );
    const reader = await open(fresh);
    try {
      expect(reader.syncRuns().map((r) => [r.syncType, r.parentSyncId])).toEqual([['partial', '']]);
      const resources = [...reader.resources()].map((r) => `${r.id.resourceType}:${r.id.resource}`);
      expect(resources.sort()).toEqual([`group:${groupId}`, `user:${userId}`].sort());
    } finally {
      await reader.close();
    }
  });

  it('refuses a value that is not a resource id, naming the setting, and leaves the file alone', async () => {
    const before = await readFile(join(cwd, 'sync.c1z'));
    const { proc, requests } = await run(cwd, ['--sync-resources', 'team:abc']);
    expect(proc.exit?.code).toBe(1);
    expect(proc.stderr).toContain('--sync-resources ($BATON_SYNC_RESOURCES)');
    expect(requests).toEqual([]);
    expect(await readFile(join(cwd, 'sync.c1z'))).toEqual(before);
  });

  it('never writes a secret into the output or the files', () => {
    const texts: (string | Uint8Array)[] = harness.processes.flatMap((p) => [p.stdout, p.stderr]);
    for (const c1z of c1zFiles) texts.push(c1z, c1zPlainBytes(c1z));
    expect(scanForSecrets(texts, [fake.keys.admin.secret])).toEqual([]);
  });
});
