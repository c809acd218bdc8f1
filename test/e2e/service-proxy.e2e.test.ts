import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startLoopbackProxy, type LoopbackProxy } from '../unit/net/connect-proxy.js';
import { assertBuilt } from './harness.js';
import { finishOf, serviceSuite, startService, type Service, type ServiceWorld } from './service-support.js';

assertBuilt();

const { harness, newWorld } = serviceSuite();
let world: ServiceWorld;
let proxy: LoopbackProxy;
let service: Service;

beforeAll(async () => {
  world = await newWorld({ seed: 41 });
  proxy = await startLoopbackProxy({ credentials: 'svc:pa ss' });
  // Only the upper-case names, as Kubernetes egress setups usually set them; the fake Fivetran is plain http
  // and HTTP_PROXY is unset, so its calls go direct.
  service = await startService(harness, world, { env: { HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
}, 30_000);
afterAll(() => proxy?.close());

it('sends the token request and the gRPC channel through HTTPS_PROXY with its credentials', async () => {
  const id = world.c1.enqueueTask({ kind: 'syncFull', payload: {} });
  const finish = await finishOf(world, service.proc, id, 20_000);
  expect(finish.success).toBeDefined();
  const tunnels = proxy.records.filter((r) => r.method === 'CONNECT' && r.target === world.c1.host);
  // At least one tunnel for the token endpoint (node https) and one for the gRPC channel (grpc-js).
  expect(tunnels.length).toBeGreaterThanOrEqual(2);
  const basic = `Basic ${Buffer.from('svc:pa ss').toString('base64')}`;
  for (const t of tunnels) expect(t.proxyAuthorization).toBe(basic);
  expect(proxy.records.every((r) => !r.target.includes('127.0.0.1'))).toBe(true);
  expect(world.c1.violations).toEqual([]);
  const output = service.proc.stdout + service.proc.stderr;
  expect(output).not.toContain('pa ss');
  expect(output).not.toContain('pa%20ss');
});
