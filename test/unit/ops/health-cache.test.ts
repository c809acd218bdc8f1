import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { createMetrics, OpsServer } from '../../../src/ops/index.js';

describe('OpsServer /health cache', () => {
  let server: OpsServer | undefined;
  afterEach(() => server?.close());

  /** A server whose clock stands still, counting validations. */
  const start = async (healthCacheMs?: number) => {
    let calls = 0;
    server = new OpsServer({
      host: '127.0.0.1',
      port: 0,
      registry: createMetrics({ version: '1', collectProcess: false }).registry,
      validate: async () => void calls++,
      readiness: () => ({ ready: true }),
      log: pino({ level: 'silent' }),
      now: () => 1_000_000,
      ...(healthCacheMs !== undefined ? { healthCacheMs } : {}),
    });
    const { port } = await server.listen();
    const probe = async () => (await fetch(`http://127.0.0.1:${port}/health`)).status;
    return { probe, calls: () => calls };
  };

  it('validates on every probe with healthCacheMs 0, even within the same millisecond', async () => {
    const s = await start(0);
    expect([await s.probe(), await s.probe()]).toEqual([200, 200]);
    expect(s.calls()).toBe(2);
  });

  it('reuses one validation for 5 s by default', async () => {
    const s = await start();
    expect([await s.probe(), await s.probe(), await s.probe()]).toEqual([200, 200, 200]);
    expect(s.calls()).toBe(1);
  });
});
