import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { C1zReader } from '../../src/c1z/index.js';
import type { Grant } from '../../src/connector/index.js';
import { generateDataset, startFakeFivetran, type FakeFivetran } from '../fakes/fivetran/index.js';
import {
  assertBuilt,
  c1zPlainBytes,
  CliHarness,
  listDir,
  REPO_ROOT,
  scanForSecrets,
  type CliProcess,
  type LogLine,
} from './harness.js';

assertBuilt();

const harness = new CliHarness();
/** Every c1z produced, for the suite-wide secret scan. */
const c1zFiles: Buffer[] = [];
let fake: FakeFivetran;

beforeAll(async () => {
  fake = await startFakeFivetran({
    dataset: generateDataset({ seed: 11, users: 25, groups: 4, teams: 3, connections: 6, systemKeys: 2 }),
  });
});
afterAll(async () => {
  await harness.cleanup();
  await fake?.close();
});

const credentials = (secret = fake.keys.admin.secret) => ({
  BATON_FIVETRAN_API_KEY: fake.keys.admin.key,
  BATON_FIVETRAN_API_SECRET: secret,
});
const syncArgs = (baseUrl = fake.baseUrl) => ['--fivetran-base-url', baseUrl, '-f', 'out.c1z'];
const plainLines = (p: CliProcess) => p.plainStderr.filter((l) => l.trim() !== '');
/** `count` of each of the connector's six resource types, keyed by type. */
const perResourceType = (count: (type: string) => number) =>
  Object.fromEntries(
    ['user', 'group', 'team', 'role', 'connection', 'system_key'].map((type) => [type, count(type)]),
  );

describe('a one-shot sync against the fake Fivetran', () => {
  let proc: CliProcess;
  let file: string;
  let reader: C1zReader;
  let grants: Grant[];

  beforeAll(async () => {
    proc = await harness.run(syncArgs(), { env: credentials() });
    file = join(proc.cwd, 'out.c1z');
    if (proc.exit?.code === 0) {
      c1zFiles.push(await readFile(file));
      reader = await C1zReader.open(file);
      grants = [...reader.grants()].map((g) => g.grant);
    }
  }, 30_000);
  afterAll(() => reader?.close());

  it('exits 0, logs progress and leaves only the c1z in the folder', async () => {
    expect({ exit: proc.exit, plain: proc.plainStderr }).toEqual({
      exit: { code: 0, signal: null },
      plain: [],
    });
    const msgs = new Set(proc.logs.map((l) => l.msg));
    expect(msgs).toContain('sync progress');
    expect(msgs).toContain('sync finished');
    const summaries = proc.logs.filter((l) => l.msg === 'synced resource type');
    expect(summaries.map((l) => l.resourceType).sort()).toEqual([
      'connection',
      'group',
      'role',
      'system_key',
      'team',
      'user',
    ]);
    expect(await listDir(proc.cwd)).toEqual(['out.c1z']);
    expect(await listDir(proc.tmpDir)).toEqual([]);
  });

  it('holds one finished full sync with every resource the fake serves', () => {
    const run = reader.latestFinishedSync();
    expect(run).toMatchObject({ syncType: 'full', endedAt: expect.any(String) });
    expect(reader.syncRuns()).toHaveLength(1);
    expect(
      reader
        .resourceTypes()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['connection', 'group', 'role', 'system_key', 'team', 'user']);
    const accountRoles = fake.state.roles.filter((r) => r.scope.includes('ACCOUNT') && !r.is_deprecated);
    expect(perResourceType((type) => [...reader.resources({ resourceTypeId: type })].length)).toEqual({
      user: fake.state.users.size,
      group: fake.state.groups.size,
      team: fake.state.teams.size,
      role: accountRoles.length,
      connection: 6,
      system_key: 2,
    });
    const connection = [...reader.resources({ resourceTypeId: 'connection' })][0]!;
    expect(connection.parentResourceId?.resourceType).toBe('group');
    const key = [...reader.resources({ resourceTypeId: 'system_key' })][0]!;
    expect(key.annotations?.map((a) => a['@type'])).toEqual([
      'type.googleapis.com/c1.connector.v2.SecretTrait',
    ]);
    const userIds = [...reader.resources({ resourceTypeId: 'user' })].map((r) => r.id.resource).sort();
    expect(userIds).toEqual([...fake.state.users.keys()].sort());
  });

  it('holds the entitlements of the model for groups, teams and roles', () => {
    const destinationRoles = fake.state.roles.filter(
      (r) => r.scope.includes('DESTINATION') && !r.is_deprecated,
    );
    const connectionRoles = fake.state.roles.filter((r) => r.scope.includes('CONNECTOR') && !r.is_deprecated);
    expect(perResourceType((type) => [...reader.entitlements({ resourceTypeId: type })].length)).toEqual({
      user: 0,
      group: fake.state.groups.size * destinationRoles.length,
      team: fake.state.teams.size * 2,
      role: fake.state.roles.filter((r) => r.scope.includes('ACCOUNT') && !r.is_deprecated).length,
      connection: 6 * connectionRoles.length,
      system_key: 0,
    });
  });

  it('holds grants for every entitlement kind, matching the fake memberships', () => {
    const kinds = new Set(
      grants.map((g) => {
        const [type, , slug] = g.entitlement.id.split(':');
        return type === 'group' || type === 'connection' ? `${type}:<role>` : `${type}:${slug}`;
      }),
    );
    expect([...kinds].sort()).toEqual([
      'connection:<role>',
      'group:<role>',
      'role:assigned',
      'team:manager',
      'team:member',
    ]);

    const principalsOf = (entitlementId: string) =>
      grants
        .filter((g) => g.entitlement.id === entitlementId)
        .map((g) => `${g.principal.id.resourceType}:${g.principal.id.resource}`)
        .sort();
    for (const [teamId, members] of fake.state.teamUsers) {
      expect(principalsOf(`team:${teamId}:member`)).toEqual(
        [...members.keys()].map((u) => `user:${u}`).sort(),
      );
      const managers = [...members].filter(([, m]) => m.role === 'Team Manager').map(([u]) => `user:${u}`);
      expect(principalsOf(`team:${teamId}:manager`)).toEqual(managers.sort());
    }
    const grantIds = new Set(grants.map((g) => g.id));
    for (const user of fake.state.users.values()) {
      if (user.role) expect(grantIds).toContain(`role:${user.role}:assigned:user:${user.id}`);
    }
    // Every principal is a synced resource.
    const synced = new Set(
      ['user', 'team'].flatMap((t) =>
        [...reader.resources({ resourceTypeId: t })].map((r) => `${t}:${r.id.resource}`),
      ),
    );
    for (const g of grants)
      expect(synced).toContain(`${g.principal.id.resourceType}:${g.principal.id.resource}`);
  });

  it('can be inspected as text and as JSON', async () => {
    const [text, json] = await Promise.all([
      harness.run(['inspect', file]),
      harness.run(['inspect', file, '-o', 'json']),
    ]);
    expect(text.exit?.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^user\\s+${fake.state.users.size}$`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^grants\\s+${grants.length}$`, 'm'));
    expect(json.exit?.code).toBe(0);
    const stats = JSON.parse(json.stdout) as {
      sync: { type: string };
      counts: { grants: number; resourcesByResourceType: Record<string, number> };
    };
    expect(stats.sync.type).toBe('full');
    expect(stats.counts.grants).toBe(grants.length);
    expect(stats.counts.resourcesByResourceType).toMatchObject({
      user: fake.state.users.size,
      group: fake.state.groups.size,
      team: fake.state.teams.size,
    });
  });

  it("lists a user's effective connection access, direct and through teams, with inspect --access", async () => {
    const [teamId, connections] = [...fake.state.teamConnections].find(
      ([t, c]) => c.size > 0 && (fake.state.teamUsers.get(t)?.size ?? 0) > 0,
    )!;
    const userId = [...fake.state.teamUsers.get(teamId)!.keys()][0]!;
    const [text, json] = await Promise.all([
      harness.run(['inspect', file, '--access', `user:${userId}`]),
      harness.run(['inspect', file, '--access', `user:${userId}`, '-o', 'json']),
    ]);
    expect(text.exit?.code).toBe(0);
    expect(json.exit?.code).toBe(0);
    const access = (JSON.parse(json.stdout) as { access: { entitlementId: string; how: string[] }[] }).access;
    const viaTeam = access.filter((a) => a.how.includes(`via team:${teamId}:member`));
    const [connectionId] = [...connections.keys()];
    expect(viaTeam.map((a) => a.entitlementId)).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^connection:${connectionId}:`))]),
    );
    expect(access.find((a) => a.entitlementId === `team:${teamId}:member`)?.how).toEqual(['direct']);
    expect(text.stdout).toContain(`via team:${teamId}:member`);
    const direct = fake.state.userConnections.get(userId);
    for (const c of direct?.keys() ?? []) {
      expect(
        access.some((a) => a.entitlementId.startsWith(`connection:${c}:`) && a.how.includes('direct')),
      ).toBe(true);
    }
  });

  it('shows pending invitations with inspect --resources user, and their profile in JSON', async () => {
    const invited = fake.dataset.users[4]!;
    expect(invited).toMatchObject({ invited: true, verified: false });
    const [text, json] = await Promise.all([
      harness.run(['inspect', file, '--resources', 'user']),
      harness.run(['inspect', file, '--resources', 'user', '-o', 'json']),
    ]);
    const line = text.stdout.split('\n').find((l) => l.startsWith(invited.id))!;
    expect(line).toMatch(/enabled\s+Pending invitation \(not accepted yet\)$/);
    const pending = text.stdout.split('\n').filter((l) => l.includes('Pending invitation'));
    expect(pending).toHaveLength(fake.dataset.users.filter((u) => u.invited && !u.verified).length);
    const listed = JSON.parse(json.stdout) as {
      resources: { resource: { id: { resource: string }; profile: Record<string, unknown> } }[];
    };
    const profile = listed.resources.find((r) => r.resource.id.resource === invited.id)!.resource.profile;
    expect(profile).toMatchObject({
      pending_invitation: true,
      first_name: invited.given_name,
      last_name: invited.family_name,
      user_id: invited.id,
    });
  });

  it('lists the grants of a team member entitlement with inspect --grants', async () => {
    const [teamId, members] = [...fake.state.teamUsers].find(([, m]) => m.size > 0)!;
    const entitlementId = `team:${teamId}:member`;
    const [text, json] = await Promise.all([
      harness.run(['inspect', file, '--grants', entitlementId]),
      harness.run(['inspect', file, '--grants', entitlementId, '-o', 'json']),
    ]);
    expect(text.exit?.code).toBe(0);
    for (const userId of members.keys()) expect(text.stdout).toContain(`user:${userId}`);
    expect(json.exit?.code).toBe(0);
    const listing = JSON.parse(json.stdout) as {
      grants: { grant: { id: string }; principal: { id: { resource: string } } }[];
    };
    expect(listing.grants.map((g) => g.principal.id.resource).sort()).toEqual([...members.keys()].sort());
    for (const g of listing.grants) expect(g.grant.id.startsWith(`${entitlementId}:user:`)).toBe(true);
  });
});

describe('a one-shot sync that fails', () => {
  it('exits non-zero on a wrong API secret, names UNAUTHENTICATED and leaves no file', async () => {
    const p = await harness.run(syncArgs(), { env: credentials('0123456789abcdef0123456789abcdef') });
    expect(p.exit?.code).not.toBe(0);
    expect(p.exit?.signal).toBeNull();
    expect(plainLines(p)).toHaveLength(1);
    expect(plainLines(p)[0]).toMatch(/unauthenticated/i);
    expect(p.logs.some((l: LogLine) => l.level === 'error')).toBe(true);
    expect(await listDir(p.cwd)).toEqual([]);
    expect(await listDir(p.tmpDir)).toEqual([]);
    expect(scanForSecrets([p.stdout, p.stderr], ['0123456789abcdef0123456789abcdef'])).toEqual([]);
  });

  it('does not clobber an existing file when the sync fails part-way', async () => {
    fake.reset();
    fake.injectFaults({ kind: '403', match: '/v1/teams' });
    try {
      const cwd = await harness.tempDir();
      const previous = 'the previous sync, which must survive';
      await writeFile(join(cwd, 'out.c1z'), previous);
      const p = await harness.run(syncArgs(), { env: credentials(), cwd });
      expect(p.exit?.code).not.toBe(0);
      expect(plainLines(p).join('\n')).toMatch(/permission/i);
      // The sync got past validation and wrote resources before failing.
      expect(fake.requestCount({ pathPrefix: '/v1/users' })).toBeGreaterThan(0);
      expect(await readFile(join(cwd, 'out.c1z'), 'utf8')).toBe(previous);
      expect(await listDir(cwd)).toEqual(['out.c1z']);
      expect(await listDir(p.tmpDir)).toEqual([]);
    } finally {
      fake.reset();
    }
  });

  it('stops on SIGINT mid-sync with a non-zero exit and no file', async () => {
    const slow = await startFakeFivetran({
      dataset: generateDataset({ seed: 11, users: 25, groups: 4, teams: 3 }),
      latencyMs: 150,
      keys: { admin: fake.keys.admin },
    });
    try {
      const p = await harness.start(syncArgs(slow.baseUrl), { env: credentials() });
      await p.waitForLog((l) => l.msg === 'sync progress', 15_000);
      expect(p.kill('SIGINT')).toBe(true);
      const exit = await p.waitForExit(10_000);
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(p.logs.some((l) => l.msg === 'sync finished')).toBe(false);
      expect(await listDir(p.cwd)).toEqual([]);
      expect(await listDir(p.tmpDir)).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});

describe('start-up of a one-shot sync', () => {
  it('loads neither the gRPC client nor the metrics library, which only service mode uses', async () => {
    const probe = join(REPO_ROOT, 'test', 'support', 'loaded-packages-probe.mjs');
    const p = await harness.run(syncArgs(), {
      env: { ...credentials(), NODE_OPTIONS: `--import=${pathToFileURL(probe).href}` },
    });
    expect(p.exit).toEqual({ code: 0, signal: null });
    const loaded = p.logs.find((l) => l.msg === 'loaded packages')?.packages as string[] | undefined;
    // The probe sees the CommonJS packages the sync needs, so an absence below means something.
    expect(loaded).toEqual(expect.arrayContaining(['pino', 'protobufjs']));
    expect(loaded?.filter((name) => /grpc|prom-client/.test(name))).toEqual([]);
  }, 30_000);
});

describe('secrets', () => {
  it('never appear in any output or c1z of this suite', () => {
    const texts: (string | Uint8Array)[] = harness.processes.flatMap((p) => [p.stdout, p.stderr]);
    for (const c1z of c1zFiles) texts.push(c1z, c1zPlainBytes(c1z));
    expect(texts.length).toBeGreaterThan(10);
    expect(c1zFiles.length).toBeGreaterThan(0);
    expect(scanForSecrets(texts, [fake.keys.admin.secret])).toEqual([]);
    // Nor the system keys' key values or the connections' setup config from the listings.
    const values = [
      ...[...fake.state.systemKeys.values()].map((k) => k.key),
      ...[...fake.state.connections.values()].map((c) => c.config.password!),
    ];
    expect(scanForSecrets(texts, values)).toEqual([]);
  });
});
