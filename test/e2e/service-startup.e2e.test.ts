import { beforeAll, describe, expect, it } from '@jest/globals';
import { OS_INFO_FIELDS } from '../fakes/control-plane/index.js';
import { assertBuilt, scanForSecrets } from './harness.js';
import {
  HOST_ID,
  httpGet,
  opsPort,
  pollUntil,
  secretsOf,
  serviceSuite,
  type Service,
  type ServiceWorld,
} from './service-support.js';

assertBuilt();

const { harness, newService } = serviceSuite();
let world: ServiceWorld;
let service: Service;

beforeAll(async () => {
  ({ world, service } = await newService({ seed: 21 }));
}, 30_000);

interface Metadata {
  displayName?: string;
  capabilities?: {
    resourceTypeCapabilities?: { resourceType?: { id?: string }; capabilities?: string[] }[];
    connectorCapabilities?: string[];
  };
  accountCreationSchema?: { fieldMap?: Record<string, { required?: boolean; order?: number }> };
}

describe('service mode start-up', () => {
  it('sends one start-up Hello with an empty task id, build info and all 8 os_info fields', () => {
    const startup = world.c1.hellos().filter((h) => !h.taskId);
    expect(startup).toHaveLength(1);
    const hello = startup[0]!;
    expect(hello.hostId).toBe(HOST_ID);
    expect(hello.taskId ?? '').toBe('');
    for (const k of ['langVersion', 'package', 'packageVersion'] as const)
      expect(hello.buildInfo?.[k]).toMatch(/\S/);
    expect(OS_INFO_FIELDS).toHaveLength(8);
    for (const k of OS_INFO_FIELDS)
      expect({ [k]: hello.osInfo?.[k] }).toEqual({ [k]: expect.stringMatching(/\S/) });
    expect(world.c1.violations).toEqual([]);
  });

  it('describes the connector: display name, capabilities per type, account creation schema', () => {
    const meta = world.c1.hellos()[0]!.connectorMetadata as Metadata;
    expect(meta.displayName).toBe('Fivetran');
    const perType = Object.fromEntries(
      (meta.capabilities?.resourceTypeCapabilities ?? []).map((c) => [
        c.resourceType?.id,
        [...(c.capabilities ?? [])].sort(),
      ]),
    );
    const targetable = ['CAPABILITY_PROVISION', 'CAPABILITY_SYNC', 'CAPABILITY_TARGETED_SYNC'];
    expect(perType).toEqual({
      user: [
        'CAPABILITY_ACCOUNT_PROVISIONING',
        'CAPABILITY_RESOURCE_DELETE',
        'CAPABILITY_SYNC',
        'CAPABILITY_TARGETED_SYNC',
      ],
      group: targetable,
      team: targetable,
      role: targetable,
      connection: targetable,
      system_key: ['CAPABILITY_SYNC', 'CAPABILITY_SYNC_SECRETS'],
    });
    // Connector-level only, as the SDK advertises it when any type has a targeted syncer.
    expect(meta.capabilities?.connectorCapabilities).toContain('CAPABILITY_SERVICE_MODE_TARGETED_SYNC');
    const fields = meta.accountCreationSchema?.fieldMap ?? {};
    const summary = Object.fromEntries(
      Object.entries(fields).map(([k, f]) => [k, { required: f.required === true, order: f.order }]),
    );
    expect(summary).toEqual({
      email: { required: true, order: 1 },
      given_name: { required: true, order: 2 },
      family_name: { required: true, order: 3 },
      role: { required: false, order: 4 },
    });
  });

  it('obtained its token with a valid client assertion and sent `Bearer <token>` on every RPC', async () => {
    await world.c1.waitFor(() => world.c1.calls.filter((c) => c.method === 'GetTask').length >= 2, 5_000);
    expect(world.c1.tokenRequests.length).toBeGreaterThanOrEqual(1);
    expect(
      world.c1.tokenRequests.map((t) => ({ valid: t.valid, reason: t.reason, status: t.status })),
    ).toEqual(world.c1.tokenRequests.map(() => ({ valid: true, reason: undefined, status: 200 })));
    expect(world.c1.tokenRequests[0]!.assertionClaims).toMatchObject({
      iss: world.c1.clientId,
      sub: world.c1.clientId,
      aud: 'c1.example.test',
    });
    const methods = new Set(world.c1.calls.map((c) => c.method));
    expect(methods).toContain('Hello');
    expect(methods).toContain('GetTask');
    const bad = world.c1.calls.filter((c) => !/^Bearer \S+$/.test(c.authorization ?? ''));
    expect(bad.map((c) => c.method)).toEqual([]);
    expect(world.c1.calls.filter((c) => c.grpcStatus !== 0 && c.grpcStatus !== 1)).toEqual([]);
  });

  it('answers a hello task with a Hello carrying its task id and no FinishTask', async () => {
    const id = world.c1.enqueueTask({ kind: 'hello' });
    const hello = await world.c1.waitFor(() => world.c1.hellos().find((h) => h.taskId === id), 10_000);
    expect(hello.hostId).toBe(HOST_ID);
    expect((hello.connectorMetadata as Metadata).displayName).toBe('Fivetran');
    // Give a wrong FinishTask time to arrive: a later task's FinishTask proves the loop moved on.
    const later = world.c1.enqueueTask({ kind: 'eventFeed' });
    await world.c1.waitFor(() => world.c1.finishes(later)[0], 10_000);
    expect(world.c1.finishes(id)).toEqual([]);
    expect(world.c1.violations).toEqual([]);
  });

  it('serves /ready (200) and /metrics with baton_tasks_total while running', async () => {
    const port = await opsPort(service.proc);
    const ready = await pollUntil(
      async () => {
        const r = await httpGet(port, '/ready');
        return r.status === 200 ? r : undefined;
      },
      5_000,
      '/ready to answer 200',
    );
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready' });
    const metrics = await httpGet(port, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^baton_tasks_total\{[^}]*task_type="event_feed"[^}]*\} 1$/m);
    expect((await httpGet(port, '/live')).status).toBe(200);
  });

  it('exits 0 promptly on SIGTERM while idle', async () => {
    expect(service.proc.kill('SIGTERM')).toBe(true);
    const started = Date.now();
    const exit = await service.proc.waitForExit(5_000);
    expect({ exit, plain: service.proc.plainStderr }).toEqual({ exit: { code: 0, signal: null }, plain: [] });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('secrets', () => {
  it('never appear in the output of this suite', () => {
    const texts = harness.processes.flatMap((p) => [p.stdout, p.stderr]);
    expect(texts.join('').length).toBeGreaterThan(0);
    const secrets = secretsOf(world);
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    expect(scanForSecrets(texts, secrets)).toEqual([]);
  });
});
