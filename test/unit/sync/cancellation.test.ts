import { ConnectorRegistry } from '../../../src/connector/index.js';
import { runSync } from '../../../src/sync/index.js';
import { FakeConnector } from '../../fakes/connector.js';
import { MemorySyncStore } from '../../fakes/memory-store.js';
import { logSink, syncError } from './sync-harness.js';

function manyTeams(n: number): FakeConnector {
  const fake = new FakeConnector().addUser('u1');
  for (let i = 0; i < n; i++) fake.addTeam(`t${i}`).addTeamMember(`t${i}`, 'u1');
  return fake;
}

describe('sync cancellation', () => {
  it('rejects with the abort reason and stops calling the connector once the signal aborts', async () => {
    const fake = manyTeams(20);
    const ctl = new AbortController();
    const reason = new Error('shutdown requested');
    fake.onCall((call) => {
      if (call.method === 'entitlements' && call.resourceId === 'team:t3') ctl.abort(reason);
    });
    const { err, store } = await syncError(fake, { signal: ctl.signal, concurrency: 1 });
    expect(err).toBe(reason);
    // Entitlement and grant listings take turns; nothing is called after the aborting call.
    const abortedAt = fake.calls.findIndex((c) => c.method === 'entitlements' && c.resourceId === 'team:t3');
    expect(abortedAt).toBeGreaterThan(0);
    expect(fake.calls).toHaveLength(abortedAt + 1);
    expect(fake.calls.filter((c) => c.method === 'entitlements')).toHaveLength(4);
    expect(store.isEnded).toBe(false);
  });

  const waitForAbort = (signal: AbortSignal, onAbort: () => void) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      signal.addEventListener('abort', () => {
        onAbort();
        clearTimeout(timer);
        resolve();
      });
    });

  it('aborts the calls in flight on other workers when the outer signal aborts', async () => {
    const fake = manyTeams(8);
    const ctl = new AbortController();
    let aborted = 0;
    fake.onCall(async (call, signal) => {
      if (call.method !== 'grants') return;
      if (call.resourceId === 'team:t3') setTimeout(() => ctl.abort(new Error('stop')), 5);
      await waitForAbort(signal, () => aborted++);
    });
    const started = Date.now();
    const { err } = await syncError(fake, { signal: ctl.signal, concurrency: 4 });
    expect((err as Error).message).toBe('stop');
    expect(aborted).toBe(4);
    expect(fake.calls.filter((c) => c.method === 'grants')).toHaveLength(4);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('aborts the other in-flight calls when one listing fails, and rethrows that failure', async () => {
    const fake = manyTeams(8);
    let aborted = 0;
    fake.onCall(async (call, signal) => {
      if (call.method !== 'entitlements') return;
      if (call.resourceId === 'team:t3') {
        await new Promise((r) => setTimeout(r, 5));
        throw new Error('team t3 exploded');
      }
      await waitForAbort(signal, () => aborted++);
    });
    const { err } = await syncError(fake, { concurrency: 4 });
    expect((err as Error).message).toBe('team t3 exploded');
    expect(aborted).toBe(3);
    expect(fake.calls.filter((c) => c.method === 'entitlements')).toHaveLength(4);
  });

  it('does nothing with a signal that is already aborted', async () => {
    const fake = manyTeams(1);
    const { err, store } = await syncError(fake, { signal: AbortSignal.abort(new Error('too late')) });
    expect((err as Error).message).toBe('too late');
    expect(fake.calls).toHaveLength(0);
    expect(store.syncId).toBeUndefined();
  });

  it('stops grant expansion between pages when the signal aborts', async () => {
    const fake = manyTeams(0).addRole('Reviewer').addTeam('big');
    for (let i = 0; i < 50; i++) fake.addUser(`m${i}`).addTeamMember('big', `m${i}`);
    fake.assignRole('Reviewer', { resourceType: 'team', resource: 'big' });
    const ctl = new AbortController();
    const store = new MemorySyncStore();
    const list = store.listGrantsForEntitlement.bind(store);
    let pages = 0;
    store.listGrantsForEntitlement = (...args) => {
      if (++pages === 2) ctl.abort(new Error('cancelled during expansion'));
      return list(...args);
    };
    const { log } = logSink();
    const run = runSync({
      registry: new ConnectorRegistry(fake),
      store,
      log,
      signal: ctl.signal,
      options: { pageSize: 10 },
    });
    await expect(run).rejects.toThrow('cancelled during expansion');
    expect(pages).toBe(2);
    expect(store.supportsDiff).toBe(false);
  });
});
