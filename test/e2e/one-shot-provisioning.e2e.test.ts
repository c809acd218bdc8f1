import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateDataset, startFakeFivetran, type FakeFivetran } from '../fakes/fivetran/index.js';
import { assertBuilt, CliHarness, fivetranEnv, scanForSecrets, type CliProcess } from './harness.js';

assertBuilt();

// ConductorOne's connector CI (github-workflows grant-revoke.sh and account-provisioning.sh), step by step,
// against the fake Fivetran: every step is a separate process sharing one working folder and one c1z.

const harness = new CliHarness();
let fake: FakeFivetran;
let cwd: string;

beforeAll(async () => {
  fake = await startFakeFivetran({
    dataset: generateDataset({ seed: 23, users: 20, groups: 3, teams: 3, connections: 4 }),
  });
  cwd = await harness.tempDir();
}, 30_000);
afterAll(async () => {
  await harness.cleanup();
  await fake?.close();
});

const env = (provisioning = true): Record<string, string> => ({
  ...fivetranEnv(fake),
  BATON_FILE: 'sync.c1z',
  ...(provisioning ? { BATON_PROVISIONING: 'true' } : {}),
});
const connector = (args: string[], o: { provisioning?: boolean; dir?: string } = {}) =>
  harness.run(args, { env: env(o.provisioning ?? true), cwd: o.dir ?? cwd });

const ok = (p: CliProcess): Record<string, unknown> => {
  expect({ exit: p.exit, plain: p.plainStderr }).toEqual({ exit: { code: 0, signal: null }, plain: [] });
  const lines = p.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
};
const failed = (p: CliProcess): string => {
  expect(p.exit).toEqual({ code: 1, signal: null });
  expect(p.stdout).toBe('');
  expect(p.plainStderr).toHaveLength(1);
  return p.plainStderr[0]!;
};
const sync = async () => {
  const p = await connector([]);
  expect({ exit: p.exit, plain: p.plainStderr, stdout: p.stdout }).toEqual({
    exit: { code: 0, signal: null },
    plain: [],
    stdout: '',
  });
};
const fileHash = async () =>
  createHash('sha256')
    .update(await readFile(join(cwd, 'sync.c1z')))
    .digest('hex');

interface Listing {
  grants?: { grant: { id: string }; principal: { id: { resource: string } } }[];
}
const grantsOn = async (entitlementId: string): Promise<NonNullable<Listing['grants']>> => {
  const p = await harness.run(['inspect', join(cwd, 'sync.c1z'), '--grants', entitlementId, '-o', 'json']);
  expect(p.exit?.code).toBe(0);
  return (JSON.parse(p.stdout) as Listing).grants ?? [];
};

describe('the CI grant/revoke loop with one-shot provisioning flags', () => {
  let teamId: string;
  let userId: string;
  let entitlementId: string;
  const memberOf = () => fake.state.teamUsers.get(teamId)?.has(userId) ?? false;

  beforeAll(async () => {
    const { state, dataset } = fake;
    const reserved = new Set([dataset.adminUserId, dataset.reviewerUserId, dataset.serviceAccountUserId]);
    teamId = [...state.teams.keys()][0]!;
    userId = [...state.users.values()].find(
      (u) => u.active && !reserved.has(u.id) && !state.teamUsers.get(teamId)?.has(u.id),
    )!.id;
    entitlementId = `team:${teamId}:member`;
  });

  it('syncs first, and the principal does not hold the entitlement yet', async () => {
    await sync();
    const grants = await grantsOn(entitlementId);
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.map((g) => g.principal.id.resource)).not.toContain(userId);
  });

  it('grants twice: granted, then already_exists, without touching the c1z', async () => {
    const before = await fileHash();
    const args = [
      `--grant-entitlement=${entitlementId}`,
      `--grant-principal=${userId}`,
      '--grant-principal-type=user',
    ];
    const first = ok(await connector(args));
    expect(first).toEqual({ result: 'granted', grants: expect.any(Array) });
    expect(memberOf()).toBe(true);
    const mutations = fake.requests.filter((r) => r.method !== 'GET').length;

    const second = ok(await connector(args));
    expect(second).toEqual({ result: 'already_exists', grants: expect.any(Array) });
    expect(fake.requests.filter((r) => r.method !== 'GET').length).toBe(mutations);
    expect(await fileHash()).toBe(before);
  });

  let grantId: string;
  it('re-syncs and finds the grant with inspect --grants -o json', async () => {
    await sync();
    const mine = (await grantsOn(entitlementId)).filter((g) => g.principal.id.resource === userId);
    expect(mine).toHaveLength(1);
    grantId = mine[0]!.grant.id;
    expect(grantId).toBe(`${entitlementId}:user:${userId}`);
  });

  it('revokes twice by grant id: revoked, then already_revoked', async () => {
    const first = ok(await connector([`--revoke-grant=${grantId}`]));
    expect(first).toEqual({ result: 'revoked', grant: grantId });
    expect(memberOf()).toBe(false);
    const second = ok(await connector([`--revoke-grant=${grantId}`]));
    expect(second).toEqual({ result: 'already_revoked', grant: grantId });
  });

  it('re-syncs and the grant is gone', async () => {
    await sync();
    expect((await grantsOn(entitlementId)).map((g) => g.principal.id.resource)).not.toContain(userId);
  });

  it('finds the principal without --grant-principal-type', async () => {
    const report = ok(await connector(['--grant-entitlement', entitlementId, '--grant-principal', userId]));
    expect(report.result).toBe('granted');
    expect(memberOf()).toBe(true);
  });
});

describe('the CI account loop with one-shot provisioning flags', () => {
  const email = 'ada.oneshot@example.com';

  it('creates an account, then deletes it twice (the second is idempotent)', async () => {
    const created = ok(
      await connector([
        `--create-account-email=${email}`,
        '--create-account-profile={"given_name":"Ada","family_name":"Lovelace","role":"Account Reviewer"}',
      ]),
    );
    const user = fake.state.userByEmail(email);
    expect(user).toMatchObject({ given_name: 'Ada', family_name: 'Lovelace', role: 'Account Reviewer' });
    expect(created).toEqual({ result: 'created', resource: { resourceType: 'user', resource: user!.id } });

    const again = ok(
      await connector([
        '--create-account-login',
        email,
        '--create-account-profile',
        '{"given_name":"Ada","family_name":"Lovelace"}',
      ]),
    );
    expect(again).toEqual({
      result: 'already_exists',
      resource: { resourceType: 'user', resource: user!.id },
    });

    const args = ['--delete-resource', user!.id, '--delete-resource-type', 'user'];
    expect(ok(await connector(args))).toEqual({
      result: 'deleted',
      resource: { resourceType: 'user', resource: user!.id },
    });
    expect(fake.state.users.has(user!.id)).toBe(false);
    expect(ok(await connector(args))).toEqual({
      result: 'already_deleted',
      resource: { resourceType: 'user', resource: user!.id },
    });
  });
});

describe('one-shot provisioning that fails', () => {
  it('refuses without --provisioning, before reading the file or calling Fivetran', async () => {
    const requests = fake.requests.length;
    const p = await connector(['--revoke-grant', 'team:x:member:user:y'], { provisioning: false });
    expect(failed(p)).toMatch(
      /^baton-fivetran: revoke failed: provisioning is not enabled: .*\(FAILED_PRECONDITION\)$/,
    );
    expect(fake.requests.length).toBe(requests);
  });

  it('names an entitlement missing from the sync and suggests a sync, without calling Fivetran', async () => {
    const requests = fake.requests.length;
    const p = await connector(['--grant-entitlement', 'team:nope:member', '--grant-principal', 'u1']);
    expect(failed(p)).toMatch(
      /^baton-fivetran: grant failed: entitlement "team:nope:member" is not in the latest sync .*run a sync first.* \(NOT_FOUND\)$/,
    );
    expect(fake.requests.length).toBe(requests);
    expect(p.logs.some((l) => l.level === 'error')).toBe(true);
  });

  it('names a missing principal and a missing grant', async () => {
    const teamId = [...fake.state.teams.keys()][0]!;
    const noUser = await connector([
      '--grant-entitlement',
      `team:${teamId}:member`,
      '--grant-principal',
      'no_such_user',
      '--grant-principal-type',
      'user',
    ]);
    expect(failed(noUser)).toMatch(/grant failed: principal user "no_such_user" is not in the latest sync/);
    const noGrant = await connector(['--revoke-grant', `team:${teamId}:member:user:no_such_user`]);
    expect(failed(noGrant)).toMatch(/revoke failed: grant "team:.*:member:user:no_such_user" is not in the/);
  });

  it('asks for a sync when -f does not exist yet', async () => {
    const dir = await harness.tempDir();
    const p = await connector(['--revoke-grant', 'team:x:member:user:y'], { dir });
    expect(failed(p)).toMatch(
      /revoke failed: .*sync\.c1z does not exist: run a sync first.*\(FAILED_PRECONDITION\)$/,
    );
  });

  it('rejects two operations at once as invalid configuration', async () => {
    const p = await connector([
      '--revoke-grant',
      'g',
      '--delete-resource',
      'u',
      '--delete-resource-type',
      'user',
    ]);
    expect(failed(p)).toMatch(
      /invalid configuration: --revoke-grant .* and --delete-resource .* cannot be used together/,
    );
  });
});

describe('secrets', () => {
  it('never appear in any output of this suite', () => {
    const texts = harness.processes.flatMap((p) => [p.stdout, p.stderr]);
    expect(texts.length).toBeGreaterThan(20);
    expect(scanForSecrets(texts, [fake.keys.admin.secret])).toEqual([]);
  });
});

describe('a connection role granted to a team and revoked with one-shot provisioning flags', () => {
  let teamId: string;
  let connectionId: string;
  let entitlementId: string;
  let memberId: string;
  const teamRole = () => fake.state.teamConnections.get(teamId)?.get(connectionId)?.role;

  beforeAll(async () => {
    const { state } = fake;
    teamId = [...state.teams.keys()].find((t) => (state.teamUsers.get(t)?.size ?? 0) > 0)!;
    memberId = [...state.teamUsers.get(teamId)!.keys()][0]!;
    connectionId = [...state.connections.keys()].find((c) => !state.teamConnections.get(teamId)?.has(c))!;
    entitlementId = `connection:${connectionId}:Manage Connection`;
    await sync();
  });

  it('grants twice (granted, then already_exists) with one POST to /v1/teams/{id}/connections', async () => {
    const args = [`--grant-entitlement=${entitlementId}`, `--grant-principal=${teamId}`];
    expect(ok(await connector(args))).toEqual({ result: 'granted', grants: expect.any(Array) });
    expect(ok(await connector(args))).toEqual({ result: 'already_exists', grants: expect.any(Array) });
    expect(teamRole()).toBe('Manage Connection');
    const posts = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/connections'));
    expect(posts.map((r) => [r.path, r.body])).toEqual([
      [`/v1/teams/${teamId}/connections`, { id: connectionId, role: 'Manage Connection' }],
    ]);
  });

  it('re-syncs: the team holds it, and its members through the team (inspect --access)', async () => {
    await sync();
    const grants = await grantsOn(entitlementId);
    expect(grants.map((g) => g.grant.id)).toEqual(
      expect.arrayContaining([`${entitlementId}:team:${teamId}`, `${entitlementId}:user:${memberId}`]),
    );
    const p = await harness.run(['inspect', join(cwd, 'sync.c1z'), '--access', `user:${memberId}`]);
    expect(p.exit?.code).toBe(0);
    expect(p.stdout).toMatch(new RegExp(`${entitlementId}\\s+connection\\s+via team:${teamId}:member`));
  });

  it('revokes twice by grant id: revoked with one DELETE, then already_revoked', async () => {
    const grant = `${entitlementId}:team:${teamId}`;
    const args = [`--revoke-grant=${grant}`];
    expect(ok(await connector(args))).toEqual({ result: 'revoked', grant });
    expect(ok(await connector(args))).toEqual({ result: 'already_revoked', grant });
    expect(teamRole()).toBeUndefined();
    const deletes = fake.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/connections/'));
    expect(deletes.map((r) => `${r.status} ${r.path}`)).toEqual([
      `200 /v1/teams/${teamId}/connections/${connectionId}`,
    ]);
  });
});

describe('a connection role for a user with one-shot provisioning flags', () => {
  it('grants (POST), changes the role (PATCH), revokes only the current role (DELETE)', async () => {
    const { state } = fake;
    const userId = [...state.users.values()].find((u) => u.active && !state.userConnections.has(u.id))!.id;
    const connectionId = [...state.connections.keys()][0]!;
    const role = () => state.userConnections.get(userId)?.get(connectionId)?.role;
    const grant = (slug: string) => [
      `--grant-entitlement=connection:${connectionId}:${slug}`,
      `--grant-principal=${userId}`,
      '--grant-principal-type=user',
    ];
    await sync();
    expect(ok(await connector(grant('View Connection'))).result).toBe('granted');
    expect(role()).toBe('View Connection');
    await sync();
    expect(ok(await connector(grant('Edit Connection'))).result).toBe('granted');
    expect(role()).toBe('Edit Connection');
    await sync();
    const revoke = (slug: string) => [`--revoke-grant=connection:${connectionId}:${slug}:user:${userId}`];
    expect(ok(await connector(revoke('Edit Connection'))).result).toBe('revoked');
    expect(role()).toBeUndefined();
    const writes = fake.requests
      .filter((r) => r.method !== 'GET' && r.path.startsWith(`/v1/users/${userId}/connections`))
      .map((r) => `${r.status} ${r.method} ${r.path}`);
    expect(writes).toEqual([
      `201 POST /v1/users/${userId}/connections`,
      `200 PATCH /v1/users/${userId}/connections/${connectionId}`,
      `200 DELETE /v1/users/${userId}/connections/${connectionId}`,
    ]);
  });
});
