import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Resource } from '../../src/connector/index.js';
import type { FinishTaskRequest } from '../fakes/control-plane/index.js';
import type { FakeUser } from '../fakes/fivetran/index.js';
import { assertBuilt, scanForSecrets } from './harness.js';
import {
  annotationNames,
  createAccountPayload,
  entitlement,
  grantPayload,
  mutatingRequests,
  plainUsers,
  resource,
  revokePayload,
  runTask,
  secretsOf,
  serviceSuite,
  stopService,
  userPrincipal,
  V2,
  type Service,
  type ServiceWorld,
} from './service-support.js';

assertBuilt();

const { harness, worlds, newService } = serviceSuite();

type Response = Record<string, unknown> & { '@type'?: string };
const responseOf = (f: FinishTaskRequest): Response => (f.success?.response ?? {}) as Response;
const failureOf = (f: FinishTaskRequest) => ({
  code: f.status?.code,
  message: f.status?.message ?? '',
  nonRetryable: f.error?.nonRetryable ?? false,
  success: f.success !== undefined,
});

describe('provisioning tasks with BATON_PROVISIONING=true', () => {
  let world: ServiceWorld;
  let service: Service;
  let users: FakeUser[];
  const run = (kind: string, payload: object) => runTask(world, service.proc, kind, payload);

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 41, connections: 5 }, { provisioning: true }));
    users = plainUsers(world);
  }, 30_000);
  afterAll(() => stopService(service));

  it('grants and revokes an account role to a user, reporting repeats as already done', async () => {
    const user = users[0]!;
    const role = entitlement(resource('role', 'Account Billing'), 'assigned');
    const principal = userPrincipal(user.id);

    const granted = await run('grant', grantPayload(role, principal));
    expect(responseOf(granted)['@type']).toBe(`${V2}.GrantManagerServiceGrantResponse`);
    expect(granted.status).toBeUndefined();
    expect(annotationNames(granted)).toEqual([]);
    expect(world.fivetran.state.users.get(user.id)?.role).toBe('Account Billing');

    const again = await run('grant', grantPayload(role, principal));
    expect(annotationNames(again)).toEqual(['GrantAlreadyExists']);

    const revoked = await run('revoke', revokePayload(role, principal));
    expect(responseOf(revoked)['@type']).toBe(`${V2}.GrantManagerServiceRevokeResponse`);
    expect(annotationNames(revoked)).toEqual([]);
    expect(world.fivetran.state.users.get(user.id)?.role).toBeNull();

    const revokedAgain = await run('revoke', revokePayload(role, principal));
    expect(revokedAgain.success).toBeDefined();
    expect(annotationNames(revokedAgain)).toEqual(['GrantAlreadyRevoked']);
  });

  it('grants an account role to a team', async () => {
    const team = [...world.fivetran.state.teams.values()].find((t) => t.role !== 'Account Analyst')!;
    const role = entitlement(resource('role', 'Account Analyst'), 'assigned');
    const granted = await run('grant', grantPayload(role, resource('team', team.id, team.name)));
    expect(responseOf(granted)['@type']).toBe(`${V2}.GrantManagerServiceGrantResponse`);
    expect(world.fivetran.state.teams.get(team.id)?.role).toBe('Account Analyst');
  });

  it('grants and revokes a destination role on a group', async () => {
    const { state } = world.fivetran;
    const user = users[1]!;
    const group = [...state.groups.values()].find((g) => !state.groupUsers.get(g.id)?.has(user.id))!;
    const e = entitlement(
      resource('group', group.id, group.name),
      'Manage Destination',
      'PURPOSE_VALUE_PERMISSION',
    );
    const principal = userPrincipal(user.id);

    const granted = await run('grant', grantPayload(e, principal));
    expect(responseOf(granted)['@type']).toBe(`${V2}.GrantManagerServiceGrantResponse`);
    expect(state.groupUsers.get(group.id)?.get(user.id)?.role).toBe('Manage Destination');
    expect(annotationNames(await run('grant', grantPayload(e, principal)))).toEqual(['GrantAlreadyExists']);

    const revoked = await run('revoke', revokePayload(e, principal));
    expect(responseOf(revoked)['@type']).toBe(`${V2}.GrantManagerServiceRevokeResponse`);
    expect(state.groupUsers.get(group.id)?.has(user.id) ?? false).toBe(false);
    expect(annotationNames(await run('revoke', revokePayload(e, principal)))).toEqual([
      'GrantAlreadyRevoked',
    ]);
  });

  it('grants and revokes a connection role for a team, expandable to its members', async () => {
    const { state } = world.fivetran;
    const team = [...state.teams.values()][1]!;
    const connectionId = [...state.connections.keys()].find(
      (c) => !state.teamConnections.get(team.id)?.has(c),
    )!;
    const e = entitlement(
      resource('connection', connectionId),
      'View Connection',
      'PURPOSE_VALUE_PERMISSION',
    );
    const principal = resource('team', team.id, team.name);

    const granted = await run('grant', grantPayload(e, principal));
    expect(responseOf(granted)['@type']).toBe(`${V2}.GrantManagerServiceGrantResponse`);
    expect(annotationNames(granted)).toEqual([]);
    expect(JSON.stringify(responseOf(granted))).toContain(`team:${team.id}:member`);
    expect(state.teamConnections.get(team.id)?.get(connectionId)?.role).toBe('View Connection');
    expect(annotationNames(await run('grant', grantPayload(e, principal)))).toEqual(['GrantAlreadyExists']);

    const revoked = await run('revoke', revokePayload(e, principal));
    expect(responseOf(revoked)['@type']).toBe(`${V2}.GrantManagerServiceRevokeResponse`);
    expect(state.teamConnections.get(team.id)?.has(connectionId) ?? false).toBe(false);
    expect(annotationNames(await run('revoke', revokePayload(e, principal)))).toEqual([
      'GrantAlreadyRevoked',
    ]);
  });

  it('adds a team member, promotes to manager, demotes and removes', async () => {
    const { state } = world.fivetran;
    const user = users.find((u) => (state.userTeams.get(u.id)?.size ?? 0) === 0)!;
    const team = [...state.teams.values()][0]!;
    const teamRes = resource('team', team.id, team.name);
    const member = entitlement(teamRes, 'member');
    const manager = entitlement(teamRes, 'manager', 'PURPOSE_VALUE_PERMISSION');
    const principal = userPrincipal(user.id);
    const teamRole = () => state.teamUsers.get(team.id)?.get(user.id)?.role;

    await run('grant', grantPayload(member, principal));
    expect(teamRole()).toBe('Team Member');
    expect(annotationNames(await run('grant', grantPayload(member, principal)))).toEqual([
      'GrantAlreadyExists',
    ]);

    await run('grant', grantPayload(manager, principal));
    expect(teamRole()).toBe('Team Manager');
    expect(annotationNames(await run('grant', grantPayload(manager, principal)))).toEqual([
      'GrantAlreadyExists',
    ]);

    const demoted = await run('revoke', revokePayload(manager, principal));
    expect(annotationNames(demoted)).toEqual([]);
    expect(teamRole()).toBe('Team Member');

    await run('revoke', revokePayload(member, principal));
    expect(teamRole()).toBeUndefined();
    expect(annotationNames(await run('revoke', revokePayload(member, principal)))).toEqual([
      'GrantAlreadyRevoked',
    ]);
  });

  it('creates an account, answers alreadyExists for its email, then deletes it', async () => {
    const { state } = world.fivetran;
    const email = 'grace.e2e@example.com';
    const created = await run(
      'createAccount',
      createAccountPayload(email, 'Grace', 'Hopper', 'Account Reviewer'),
    );
    const response = responseOf(created) as Response & {
      success?: { resource?: Resource; isCreateAccountResult?: boolean };
    };
    expect(response['@type']).toBe(`${V2}.CreateAccountResponse`);
    expect(response.success?.isCreateAccountResult).toBe(true);
    const newUser = state.userByEmail(email);
    expect(newUser).toMatchObject({ given_name: 'Grace', family_name: 'Hopper', role: 'Account Reviewer' });
    expect(response.success?.resource?.id).toEqual({ resourceType: 'user', resource: newUser!.id });

    const repeat = responseOf(
      await run('createAccount', createAccountPayload(email, 'Grace', 'Hopper')),
    ) as Response & {
      alreadyExists?: { resource?: Resource };
    };
    expect(repeat['@type']).toBe(`${V2}.CreateAccountResponse`);
    expect(repeat.alreadyExists?.resource?.id).toEqual({ resourceType: 'user', resource: newUser!.id });

    const deleted = await run('deleteResource', {
      resourceId: { resourceType: 'user', resource: newUser!.id },
    });
    expect(responseOf(deleted)['@type']).toBe(`${V2}.DeleteResourceResponse`);
    expect(state.users.has(newUser!.id)).toBe(false);
  });

  it('answers alreadyExists when creating an account for an email from the dataset', async () => {
    const existing = users[2]!;
    const before = world.fivetran.state.users.size;
    const f = await run('createAccount', createAccountPayload(existing.email, 'Someone', 'Else'));
    const response = responseOf(f) as Response & { alreadyExists?: { resource?: Resource } };
    expect(response.alreadyExists?.resource?.id).toEqual({ resourceType: 'user', resource: existing.id });
    expect(world.fivetran.state.users.size).toBe(before);
  });

  it('refuses a malformed grant with INVALID_ARGUMENT, non-retryable, without calling Fivetran', async () => {
    const requestsBefore = world.fivetran.requests.length;
    const role = entitlement(resource('role', 'Account Billing'), 'assigned');
    const f = await run('grant', { entitlement: role });
    expect(failureOf(f)).toEqual({
      code: 3,
      message: expect.stringContaining('principal'),
      nonRetryable: true,
      success: false,
    });
    expect(world.fivetran.requests.length).toBe(requestsBefore);
  });

  it('refuses an unsupported task type with UNKNOWN, retryable, and keeps serving', async () => {
    const requestsBefore = world.fivetran.requests.length;
    const f = await run('eventFeed', {});
    expect(failureOf(f)).toEqual({
      code: 2,
      message: 'unsupported task type',
      nonRetryable: false,
      success: false,
    });
    expect(world.fivetran.requests.length).toBe(requestsBefore);

    const user = users[3]!;
    const role = entitlement(resource('role', 'Destination Creator'), 'assigned');
    const later = await run('grant', grantPayload(role, userPrincipal(user.id)));
    expect(responseOf(later)['@type']).toBe(`${V2}.GrantManagerServiceGrantResponse`);
    expect(world.fivetran.state.users.get(user.id)?.role).toBe('Destination Creator');
  });

  it('sent exactly one FinishTask per task and nothing the SDK never sends', () => {
    expect(world.c1.finishes().length).toBeGreaterThan(20);
    expect(world.c1.heartbeats()).toEqual([]);
    expect(world.c1.violations).toEqual([]);
  });
});

describe('provisioning tasks without BATON_PROVISIONING', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 42 }));
  }, 30_000);
  afterAll(() => stopService(service));

  it('fails every provisioning task with FAILED_PRECONDITION, non-retryable, and changes nothing', async () => {
    const user = plainUsers(world)[0]!;
    const team = [...world.fivetran.state.teams.values()][0]!;
    const member = entitlement(resource('team', team.id, team.name), 'member');
    const principal = userPrincipal(user.id);
    const tasks: [string, object][] = [
      ['grant', grantPayload(entitlement(resource('role', 'Account Billing'), 'assigned'), principal)],
      ['grant', grantPayload(member, principal)],
      ['revoke', revokePayload(member, principal)],
      ['createAccount', createAccountPayload('nobody.e2e@example.com', 'No', 'Body')],
      ['deleteResource', { resourceId: { resourceType: 'user', resource: user.id } }],
    ];
    for (const [kind, payload] of tasks) {
      const f = await runTask(world, service.proc, kind, payload);
      expect({ kind, ...failureOf(f) }).toEqual({
        kind,
        code: 9,
        message: expect.stringContaining('provisioning is not enabled'),
        nonRetryable: true,
        success: false,
      });
    }
    expect(mutatingRequests(world.fivetran)).toEqual([]);
    expect(world.fivetran.state.users.get(user.id)?.role).toBeNull();
    expect(world.fivetran.state.userByEmail('nobody.e2e@example.com')).toBeUndefined();
    expect(world.c1.violations).toEqual([]);
  });
});

describe('secrets', () => {
  it('never appear in the output of this suite', () => {
    const texts = harness.processes.flatMap((p) => [p.stdout, p.stderr]);
    expect(harness.processes).toHaveLength(2);
    expect(scanForSecrets(texts, worlds.flatMap(secretsOf))).toEqual([]);
  });
});
