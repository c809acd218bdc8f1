import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { C1zReader } from '../../src/c1z/index.js';
import type { FinishTaskRequest, UploadRecord } from '../fakes/control-plane/index.js';
import { assertBuilt, c1zPlainBytes, listDir, scanForSecrets } from './harness.js';
import {
  finishOf,
  HOST_ID,
  httpGet,
  opsPort,
  secretsOf,
  stopService,
  serviceSuite,
  type Service,
  type ServiceWorld,
} from './service-support.js';

assertBuilt();

const CHUNK = 524_288;
const { harness, worlds, newService } = serviceSuite();
const uploaded: Buffer[] = [];

describe('a sync_full task', () => {
  let world: ServiceWorld;
  let service: Service;
  let taskId: string;
  let finish: FinishTaskRequest;
  let upload: UploadRecord;
  let reader: C1zReader;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 31, users: 30 }));
    taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    finish = await finishOf(world, service.proc, taskId, 20_000);
    upload = world.c1.uploads(taskId)[0]!;
    if (upload) {
      uploaded.push(upload.bytes);
      const file = join(await harness.tempDir('baton-e2e-upload-'), 'uploaded.c1z');
      await writeFile(file, upload.bytes);
      reader = await C1zReader.open(file);
    }
  }, 30_000);
  afterAll(() => stopService(service));
  afterAll(() => reader?.close());

  it('finishes with success, no response, no annotations and no status', () => {
    expect(finish.hostId).toBe(HOST_ID);
    expect(finish.status).toBeUndefined();
    expect(finish.error).toBeUndefined();
    expect(finish.success?.response).toBeUndefined();
    expect(finish.success?.annotations ?? []).toEqual([]);
    expect(world.c1.finishes(taskId)).toHaveLength(1);
    expect(world.c1.violations).toEqual([]);
  });

  it('uploads the file once, before FinishTask, in chunks of at most 512 KiB with a good checksum', () => {
    expect(world.c1.uploads(taskId)).toHaveLength(1);
    expect(upload.hostId).toBe(HOST_ID);
    expect(upload.sha256Ok).toBe(true);
    expect(upload.bytes.length).toBeGreaterThan(0);
    expect(upload.chunkSizes.every((n) => n > 0 && n <= CHUNK)).toBe(true);
    expect(upload.chunkSizes.slice(0, -1).every((n) => n === CHUNK)).toBe(true);
    const uploadCall = world.c1.calls.findIndex((c) => c.method === 'UploadAsset');
    const finishCall = world.c1.calls.findIndex(
      (c) => c.method === 'FinishTask' && (c.request as { taskId?: string })?.taskId === taskId,
    );
    expect(uploadCall).toBeGreaterThanOrEqual(0);
    expect(uploadCall).toBeLessThan(finishCall);
  });

  it('uploads a c1z with one finished sync holding what the fake Fivetran serves', () => {
    expect(reader.syncRuns()).toHaveLength(1);
    expect(reader.latestFinishedSync()).toMatchObject({ syncType: 'full', endedAt: expect.any(String) });
    const { state } = world.fivetran;
    const stats = reader.stats();
    expect(stats.resourcesByResourceType).toEqual({
      user: state.users.size,
      group: state.groups.size,
      team: state.teams.size,
      role: state.roles.filter((r) => r.scope.includes('ACCOUNT') && !r.is_deprecated).length,
      connection: state.connections.size,
      system_key: state.systemKeys.size,
    });
    const firstUsers = [...state.users.keys()].slice(0, 50);
    const synced = new Set<string>();
    for (const r of reader.resources({ resourceTypeId: 'user' })) synced.add(r.id.resource);
    for (const id of firstUsers) expect(synced).toContain(id);
    for (const [teamId, members] of state.teamUsers) {
      const grants = [...reader.grants({ entitlementId: `team:${teamId}:member` })];
      expect(grants.map((g) => g.grant.principal.id.resource).sort()).toEqual([...members.keys()].sort());
    }
  });

  it('heartbeats the task with its id', () => {
    const beats = world.c1.heartbeats(taskId);
    expect(beats.length).toBeGreaterThanOrEqual(1);
    for (const b of beats) expect(b).toMatchObject({ hostId: HOST_ID, taskId });
  });

  it('reports the sync size and time in /metrics', async () => {
    const metrics = await httpGet(await opsPort(service.proc), '/metrics');
    const grants = /^baton_sync_last_objects\{kind="grants"\} (\d+)$/m.exec(metrics.body);
    // Rows written: a grant that expansion also touched counts twice.
    expect(Number(grants?.[1])).toBeGreaterThanOrEqual(reader.stats().grants);
    expect(reader.stats().grants).toBeGreaterThan(0);
    expect(metrics.body).toMatch(/^baton_sync_last_success_timestamp_seconds \d+/m);
  });

  it('leaves no temporary file behind', async () => {
    expect(await listDir(service.c1zTempDir)).toEqual([]);
    expect(await listDir(service.proc.tmpDir)).toEqual([]);
  });
});

describe('SIGTERM while a sync runs', () => {
  let world: ServiceWorld;
  let service: Service;

  beforeAll(async () => {
    ({ world, service } = await newService({ seed: 32, latencyMs: 700 }, { graceSeconds: 1 }));
  }, 30_000);
  afterAll(() => stopService(service));

  it('cancels the sync after the grace period: CANCELLED, retryable, no upload, exit 0', async () => {
    const taskId = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    await world.c1.waitFor(() => world.c1.heartbeats(taskId)[0], 10_000);
    await world.c1.waitFor(() => world.fivetran.requests.length > 0, 5_000);
    expect(service.proc.kill('SIGTERM')).toBe(true);
    const signalledAt = Date.now();

    const finish = await finishOf(world, service.proc, taskId, 10_000);
    expect(finish.success).toBeUndefined();
    expect(finish.status?.code).toBe(1);
    expect(finish.error?.nonRetryable ?? false).toBe(false);
    const exit = await service.proc.waitForExit(10_000);
    expect(exit).toEqual({ code: 0, signal: null });
    // 1 s of grace plus the cancellation itself; far below the 5.6 s a full slow sync would take.
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    expect(world.c1.uploads(taskId)).toEqual([]);
    expect(world.c1.finishes(taskId)).toHaveLength(1);
    expect(world.c1.violations).toEqual([]);
    expect(await listDir(service.c1zTempDir)).toEqual([]);
    expect(await listDir(service.proc.tmpDir)).toEqual([]);
  });
});

describe('secrets', () => {
  it('never appear in the output or the uploaded c1z of this suite', () => {
    const texts: (string | Uint8Array)[] = harness.processes.flatMap((p) => [p.stdout, p.stderr]);
    for (const c1z of uploaded) texts.push(c1z, c1zPlainBytes(c1z));
    expect(uploaded).toHaveLength(1);
    expect(harness.processes).toHaveLength(2);
    const secrets = worlds.flatMap(secretsOf);
    expect(scanForSecrets(texts, secrets)).toEqual([]);
  });
});
