// Service mode with BATON_GET_TASKS=true: batched polling with GetTasks (control-plane.md §4.3).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RecordedCall } from '../fakes/control-plane/index.js';
import { assertBuilt } from './harness.js';
import {
  entitlement,
  grantPayload,
  plainUsers,
  resource,
  revokePayload,
  serviceSuite,
  stopService,
  userPrincipal,
  type Service,
  type ServiceWorld,
} from './service-support.js';

assertBuilt();

const { newService } = serviceSuite();

interface GetTasksRequest {
  pageSize?: number;
  knownTaskIds?: string[];
}

const getTasksCalls = (calls: readonly RecordedCall[]) =>
  calls.filter((c) => c.method === 'GetTasks').map((c) => (c.request ?? {}) as GetTasksRequest);

describe('BATON_GET_TASKS=true with task concurrency 2', () => {
  let w: ServiceWorld;
  let service: Service;
  let syncId: string;
  let grantIds: string[];
  let revokeId: string;
  let allIds: string[];
  let granted: string[];

  beforeAll(async () => {
    ({ world: w, service } = await newService(
      { seed: 53, users: 30, latencyMs: 5, nextPollMs: 50 },
      { provisioning: true, env: { BATON_GET_TASKS: 'true', BATON_TASK_CONCURRENCY: '2' } },
    ));
    const users = plainUsers(w)
      .map((u) => u.id)
      .slice(0, 6);
    expect(users).toHaveLength(6);
    const role = entitlement(resource('role', 'Account Billing'), 'assigned');
    // Enqueued together, so one GetTasks answer holds more tasks than there are slots.
    syncId = w.c1.enqueueTask({ kind: 'syncFull', payload: {} });
    granted = users.slice(0, 5);
    grantIds = granted.map((id) =>
      w.c1.enqueueTask({ kind: 'grant', payload: grantPayload(role, userPrincipal(id)) }),
    );
    revokeId = w.c1.enqueueTask({ kind: 'revoke', payload: revokePayload(role, userPrincipal(users[5]!)) });
    allIds = [syncId, ...grantIds, revokeId];
    try {
      await w.c1.waitFor(() => allIds.every((id) => w.c1.finishes(id).length > 0), 25_000);
      // Two more polls after the last FinishTask: nothing is run (or finished) a second time.
      const polled = getTasksCalls(w.c1.calls).length;
      await w.c1.waitFor(() => getTasksCalls(w.c1.calls).length >= polled + 2, 5_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${service.proc.describe()}`);
    }
  }, 40_000);
  afterAll(() => stopService(service));

  it('sends exactly one FinishTask per task, each a success', () => {
    for (const id of allIds) {
      expect(w.c1.finishes(id)).toHaveLength(1);
      expect(w.c1.finishes(id)[0]!.success).toBeDefined();
    }
    expect(w.c1.uploads(syncId)).toHaveLength(1);
    expect(w.c1.violations).toEqual([]);
  });

  it('applies every grant in Fivetran', () => {
    for (const id of grantIds) expect(w.c1.finishes(id)[0]!.status).toBeUndefined();
    for (const id of granted) expect(w.fivetran.state.users.get(id)?.role).toBe('Account Billing');
  });

  it('polls only with GetTasks, page_size within 1..100 and at most twice the concurrency', () => {
    const methods = new Set(w.c1.calls.map((c) => c.method));
    expect(methods.has('GetTask')).toBe(false);
    const polls = getTasksCalls(w.c1.calls);
    expect(polls.length).toBeGreaterThan(2);
    for (const p of polls) {
      expect(p.pageSize).toBeGreaterThanOrEqual(1);
      expect(p.pageSize).toBeLessThanOrEqual(4);
      expect((p.knownTaskIds ?? []).length + (p.pageSize ?? 0)).toBe(4);
    }
    expect(polls[0]).toMatchObject({ pageSize: 4 });
  });

  it('names the tasks it holds in known_task_ids, the running sync included', () => {
    const polls = getTasksCalls(w.c1.calls);
    const known = polls.flatMap((p) => p.knownTaskIds ?? []);
    expect(known.every((id) => allIds.includes(id))).toBe(true);
    expect(known).toContain(syncId);
    // Once every task is finished and done, the daemon holds nothing.
    expect(polls.at(-1)?.knownTaskIds ?? []).toEqual([]);
  });
});
