import { pino } from 'pino';
import { createMetrics, OpsServer, probeHealth } from '../../../src/ops/index.js';

describe('OpsServer', () => {
  let server: OpsServer;
  let port: number;
  let ready = false;
  let healthy = true;
  beforeAll(async () => {
    const metrics = createMetrics({ version: '1.2.3', collectProcess: false });
    metrics.tasks.inc({ task_type: 'grant', outcome: 'success' });
    server = new OpsServer({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      validate: async () => {
        if (!healthy) throw new Error('baton-fivetran: GET /v1/account/info: 401 Unauthorized');
      },
      readiness: () => (ready ? { ready: true } : { ready: false, reason: 'task loop is starting' }),
      log: pino({ level: 'silent' }),
      healthCacheMs: 0,
    });
    port = (await server.listen()).port;
  });
  afterAll(() => server.close());

  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };

  it('answers /live always and /ready from the loop state, in the SDK JSON shape', async () => {
    const live = await get('/live');
    expect(live.status).toBe(200);
    expect(JSON.parse(live.body)).toMatchObject({ status: 'alive', timestamp: expect.stringMatching(/Z$/) });
    expect(await get('/ready')).toMatchObject({ status: 503, type: 'application/json' });
    expect(JSON.parse((await get('/ready')).body).details.error).toBe('task loop is starting');
    ready = true;
    expect(JSON.parse((await get('/ready')).body).status).toBe('ready');
  });

  it('runs validation for /health and reports why it failed', async () => {
    expect(JSON.parse((await get('/health')).body).status).toBe('healthy');
    healthy = false;
    const res = await get('/health');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).details).toEqual({
      error: 'connector validation failed',
      validation_error: 'baton-fivetran: GET /v1/account/info: 401 Unauthorized',
    });
    healthy = true;
  });

  it('serves Prometheus metrics from its own registry', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.body).toContain('baton_tasks_total{task_type="grant",outcome="success"} 1');
    expect(res.body).toContain('baton_build_info{version="1.2.3"');
  });

  it('is what the health-check probe reads: true only on 200', async () => {
    expect((await probeHealth({ host: '127.0.0.1', port, endpoint: 'live', timeoutMs: 2000 })).ok).toBe(true);
    expect((await probeHealth({ host: '127.0.0.1', port, endpoint: 'nope', timeoutMs: 2000 })).ok).toBe(
      false,
    );
  });

  it('shares one Fivetran validation among /health probes for a few seconds', async () => {
    let calls = 0;
    let nowMs = Date.UTC(2026, 0, 1);
    const cached = new OpsServer({
      host: '127.0.0.1',
      port: 0,
      registry: createMetrics({ version: 'x', collectProcess: false }).registry,
      validate: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 20));
      },
      readiness: () => ({ ready: true }),
      log: pino({ level: 'silent' }),
      now: () => nowMs,
    });
    const p = (await cached.listen()).port;
    try {
      const probes = await Promise.all(
        [1, 2, 3, 4].map(() => fetch(`http://127.0.0.1:${p}/health`).then((r) => r.status)),
      );
      expect(probes).toEqual([200, 200, 200, 200]);
      expect((await fetch(`http://127.0.0.1:${p}/health`)).status).toBe(200);
      expect(calls).toBe(1);
      nowMs += 5_001;
      const later = await fetch(`http://127.0.0.1:${p}/health`);
      expect(await later.json()).toEqual({ status: 'healthy', timestamp: '2026-01-01T00:00:05Z' });
      expect(calls).toBe(2);
    } finally {
      await cached.close();
    }
  });
});
