import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { C1zReader, type C1zSyncRun } from '../../src/c1z/index.js';
import type { FinishTaskRequest } from '../fakes/control-plane/index.js';
import { assertBuilt, c1zPlainBytes, listDir, scanForSecrets } from './harness.js';
import {
  finishOf,
  httpGet,
  opsPort,
  resource,
  secretsOf,
  serviceSuite,
  startService,
  stopService,
  type Service,
  type ServiceWorld,
} from './service-support.js';

assertBuilt();

const { harness, worlds, newWorld } = serviceSuite();
const uploaded: Buffer[] = [];

/** Deprecated connection role names as the connector reports them (their replacements). */
const REPLACED: Record<string, string> = {
  'Connector Administrator': 'Manage Connection',
  'Connector Reviewer': 'View Connection',
};
const current = (role: string) => REPLACED[role] ?? role;

/** What one targeted sync_full task produced: its finish, the uploaded c1z's rows and the Fivetran calls. */
interface Outcome {
  readonly finish: FinishTaskRequest;
  readonly runs: C1zSyncRun[];
  readonly resources: string[];
  readonly entitlements: string[];
  readonly grants: string[];
  /** Each grant id with the entitlement ids its GrantExpandable names (empty when it has none). */
  readonly expandable: Record<string, string[]>;
  /** The uploaded file's bytes, for the secret scans. */
  readonly bytes: Buffer;
  /** `GET /v1/...` in order, without the shared lookups (account info, role catalogue). */
  readonly requests: string[];
  /** Requests to `/v1/account/info` and `/v1/roles`, which the daemon may answer from its cache. */
  readonly sharedLookups: number;
}

describe('targeted sync_full tasks against the fake control plane', () => {
  let world: ServiceWorld;
  let service: Service;

  async function targeted(targets: object[]): Promise<Outcome> {
    world.fivetran.reset();
    const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: { targetedSyncResources: targets } });
    const finish = await finishOf(world, service.proc, taskId, 20_000);
    const bytes = world.c1.uploads(taskId)[0]?.bytes;
    if (!bytes) throw new Error(`no upload for ${taskId}\n${service.proc.describe()}`);
    uploaded.push(bytes);
    const file = join(await harness.tempDir('baton-e2e-targeted-'), 'uploaded.c1z');
    await writeFile(file, bytes);
    const reader = await C1zReader.open(file);
    try {
      const shared = (p: string) => p === '/v1/account/info' || p === '/v1/roles';
      const requests = world.fivetran.requests;
      return {
        finish,
        runs: reader.syncRuns(),
        resources: [...reader.resources()].map((r) => `${r.id.resourceType}:${r.id.resource}`).sort(),
        entitlements: [...reader.entitlements()].map((e) => e.id).sort(),
        grants: [...reader.grants()].map((g) => g.grant.id).sort(),
        expandable: Object.fromEntries(
          [...reader.grants()].map((g) => [g.grant.id, [...(g.expansion?.entitlementIds ?? [])]]),
        ),
        bytes,
        requests: requests.filter((r) => !shared(r.path)).map((r) => `${r.method} ${r.path}`),
        sharedLookups: requests.filter((r) => shared(r.path)).length,
      };
    } finally {
      await reader.close();
    }
  }

  const expectPartialUpload = (o: Outcome) => {
    expect(o.finish.error).toBeUndefined();
    expect(o.finish.success?.response).toBeUndefined();
    expect(o.runs).toHaveLength(1);
    // A fresh upload file has no full sync to name: parent_sync_id is empty, as in the SDK's service mode.
    expect(o.runs[0]).toMatchObject({
      syncType: 'partial',
      parentSyncId: '',
      supportsDiff: false,
      endedAt: expect.any(String),
    });
    // Validate's account lookup, and the role catalogue at most once.
    expect(o.sharedLookups).toBeGreaterThanOrEqual(1);
    expect(o.sharedLookups).toBeLessThanOrEqual(2);
  };

  beforeAll(async () => {
    world = await newWorld({ seed: 61, users: 40, connections: 8 });
    // A local --sync-resources is ignored in service mode: each task names its own targets.
    service = await startService(harness, world, { env: { BATON_SYNC_RESOURCES: 'bid:r:team/local_only' } });
  }, 30_000);
  afterAll(() => stopService(service));

  it('warns that a local --sync-resources does not apply to tasks', () => {
    expect(service.proc.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: '--sync-resources is for one-shot mode; service mode syncs what each task names',
      }),
    );
  });

  it('a user: the user alone, from GET /v1/users/<id>', async () => {
    const userId = [...world.fivetran.state.users.keys()][3]!;
    const o = await targeted([resource('user', userId)]);
    expectPartialUpload(o);
    expect(o.resources).toEqual([`user:${userId}`]);
    expect(o.entitlements).toEqual([]);
    expect(o.grants).toEqual([]);
    expect(o.requests).toEqual([`GET /v1/users/${userId}`]);
  });

  it('a team: the team, its two entitlements, its member, group and connection grants, and those resources', async () => {
    const { state } = world.fivetran;
    const [teamId, members] = [...state.teamUsers].find(
      ([t, m]) => m.size > 0 && state.teamGroups.get(t)?.size && state.teamConnections.get(t)?.size,
    )!;
    const groupIds = [...state.teamGroups.get(teamId)!.keys()];
    // The connections the team holds roles on are fetched too: the connection and its group's name each.
    const connectionIds = [...(state.teamConnections.get(teamId)?.keys() ?? [])];
    const groupOf = (c: string) => state.connections.get(c)!.group_id;
    expect(connectionIds.length).toBeGreaterThan(0);
    const o = await targeted([resource('team', teamId)]);
    expectPartialUpload(o);
    expect(o.resources).toEqual(
      [
        `team:${teamId}`,
        ...groupIds.map((g) => `group:${g}`),
        ...connectionIds.map((c) => `connection:${c}`),
      ].sort(),
    );
    expect(o.entitlements).toEqual([`team:${teamId}:manager`, `team:${teamId}:member`]);
    const memberGrants = o.grants.filter((g) => g.startsWith(`team:${teamId}:member:`));
    expect(memberGrants).toEqual([...members.keys()].map((u) => `team:${teamId}:member:user:${u}`).sort());
    const groupGrants = o.grants.filter((g) => g.startsWith('group:'));
    expect(groupGrants).toHaveLength(groupIds.length);
    expect(groupGrants.every((g) => g.endsWith(`:team:${teamId}`))).toBe(true);
    const connectionGrants = o.grants.filter((g) => g.startsWith('connection:'));
    expect(connectionGrants.map((g) => g.split(':')[1]).sort()).toEqual([...connectionIds].sort());
    expect(connectionGrants.every((g) => g.endsWith(`:team:${teamId}`))).toBe(true);
    expect(o.requests.sort()).toEqual(
      [
        `GET /v1/teams/${teamId}`,
        `GET /v1/teams/${teamId}/users`,
        `GET /v1/teams/${teamId}/groups`,
        `GET /v1/teams/${teamId}/connections`,
        ...groupIds.map((g) => `GET /v1/groups/${g}`),
        ...connectionIds.map((c) => `GET /v1/connections/${c}`),
        ...connectionIds.map((c) => `GET /v1/groups/${groupOf(c)}`),
      ].sort(),
    );
  });

  it('a connection: the connection, its role entitlements, its team and user grants (teams expandable)', async () => {
    const { state } = world.fivetran;
    // A connection some team holds a role on (every team holds about one, and users about half a one each).
    const [teamId, held] = [...state.teamConnections].find(([, cs]) => cs.size > 0)!;
    const connectionId = [...held.keys()][0]!;
    const connection = state.connections.get(connectionId)!;
    const byHolder = (edges: typeof state.userConnections, kind: string) =>
      [...edges]
        .filter(([, cs]) => cs.has(connectionId))
        .map(([h, cs]) => `connection:${connectionId}:${current(cs.get(connectionId)!.role)}:${kind}:${h}`);
    const teamGrants = byHolder(state.teamConnections, 'team');
    const userGrants = byHolder(state.userConnections, 'user');
    expect(teamGrants.some((g) => g.endsWith(`:team:${teamId}`))).toBe(true);

    const o = await targeted([resource('connection', connectionId)]);
    expectPartialUpload(o);
    expect(o.resources).toEqual([`connection:${connectionId}`]);
    expect(o.entitlements).toEqual(
      ['Edit Connection', 'Manage Connection', 'View Connection'].map(
        (r) => `connection:${connectionId}:${r}`,
      ),
    );
    expect(o.grants).toEqual([...teamGrants, ...userGrants].sort());
    for (const g of o.grants) {
      const team = /:team:(.+)$/.exec(g)?.[1];
      expect(o.expandable[g]).toEqual(team ? [`team:${team}:member`] : []);
    }
    const teams = [...state.teams.keys()];
    const users = [...state.users.keys()];
    // The connection and its group's name; /v1/teams and each team's roles; /v1/users counted (the task names
    // no resource counts) and walked, with each user's roles: 6 + teams + users requests.
    expect(o.requests.sort()).toEqual(
      [
        `GET /v1/connections/${connectionId}`,
        `GET /v1/groups/${connection.group_id}`,
        'GET /v1/teams',
        ...teams.map((t) => `GET /v1/teams/${t}/connections`),
        'GET /v1/users',
        'GET /v1/users',
        ...users.map((u) => `GET /v1/users/${u}/connections`),
      ].sort(),
    );
    // The connection's config (its credentials) never reaches the file.
    expect(c1zPlainBytes(o.bytes).includes(Buffer.from('connection-password-'))).toBe(false);
  });

  it('a group: the group, one entitlement per destination role and its direct user roles', async () => {
    const { state } = world.fivetran;
    const [groupId, users] = [...state.groupUsers].find(([, u]) => [...u.values()].some((m) => m.role))!;
    const o = await targeted([resource('group', groupId)]);
    expectPartialUpload(o);
    expect(o.resources).toEqual([`group:${groupId}`]);
    const destinationRoles = state.roles.filter((r) => r.scope.includes('DESTINATION') && !r.is_deprecated);
    expect(o.entitlements).toEqual(destinationRoles.map((r) => `group:${groupId}:${r.name}`).sort());
    const principals = new Set(o.grants.map((g) => g.split(':user:')[1]));
    expect(principals.size).toBeGreaterThan(0);
    for (const p of principals) expect(users.has(p!)).toBe(true);
    expect(o.requests.sort()).toEqual(
      [`GET /v1/groups/${groupId}`, `GET /v1/groups/${groupId}/users`].sort(),
    );
  });

  it('a target that no longer exists: skipped, the partial sync still uploaded and the task a success', async () => {
    const { state } = world.fivetran;
    const teamId = [...state.teams.keys()][0]!;
    const o = await targeted([resource('user', 'gone_user'), resource('team', teamId)]);
    expectPartialUpload(o);
    expect(o.resources.filter((r) => r.startsWith('user:'))).toEqual([]);
    expect(o.resources).toContain(`team:${teamId}`);
    expect(world.fivetran.requests.find((r) => r.path === '/v1/users/gone_user')?.status).toBe(404);
    const skipped = service.proc.logs.find((l) => l.msg === 'skipping targeted resource: not found');
    expect(skipped).toMatchObject({ resourceId: 'user:gone_user' });
  });

  it('a malformed target fails the task for good, without uploading', async () => {
    const taskId = world.c1.enqueueTask({
      kind: 'syncFull',
      payload: { targetedSyncResources: [{ id: { resourceType: 'team' } }] },
    });
    const finish = await finishOf(world, service.proc, taskId);
    expect(finish.status?.code).toBe(3);
    expect(finish.error?.nonRetryable).toBe(true);
    expect(world.c1.uploads(taskId)).toEqual([]);
  });

  it('leaves the last-sync gauges to whole syncs', async () => {
    const metrics = await httpGet(await opsPort(service.proc), '/metrics');
    expect(metrics.body).toMatch(/^baton_tasks_total\{.*\} \d+/m);
    expect(metrics.body).not.toMatch(/^baton_sync_last_objects\{/m);
    expect(metrics.body).toMatch(/^baton_sync_last_success_timestamp_seconds 0$/m);
  });

  it('leaves no temporary file and no protocol violation behind', async () => {
    expect(await listDir(service.c1zTempDir)).toEqual([]);
    expect(world.c1.violations).toEqual([]);
  });
});

describe('secrets', () => {
  it('never appear in the output or the uploaded partial c1z files', () => {
    const texts: (string | Uint8Array)[] = harness.processes.flatMap((p) => [p.stdout, p.stderr]);
    for (const c1z of uploaded) texts.push(c1z, c1zPlainBytes(c1z));
    expect(uploaded).toHaveLength(5);
    expect(scanForSecrets(texts, worlds.flatMap(secretsOf))).toEqual([]);
  });
});
