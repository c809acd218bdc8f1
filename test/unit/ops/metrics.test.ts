import { totalmem } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { createMetrics, memoryLimitBytes } from '../../../src/ops/index.js';

describe('createMetrics', () => {
  it("exposes prom-client's process and Node.js metrics under their standard names", async () => {
    const text = await createMetrics({ version: '1.0.0' }).registry.metrics();
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} `, 'm'));
    }
    expect(text).not.toMatch(/^baton_(process|nodejs)_/m);
  });

  it('starts the series alerts rate() at 0, and the unknown Fivetran quota at NaN rather than 0', async () => {
    const text = await createMetrics({ version: '1.0.0', collectProcess: false }).registry.metrics();
    expect(text).toMatch(/^baton_fivetran_retries_total\{reason="rate_limited"\} 0$/m);
    expect(text).toMatch(/^baton_control_plane_token_refreshes_total\{outcome="error"\} 0$/m);
    // prom-client writes "Nan"; Prometheus parses floats as Go does, case-insensitively.
    expect(text).toMatch(/^baton_fivetran_rate_limit_remaining nan$/im);
    expect(text).toMatch(/^baton_control_plane_up 0$/m);
  });

  it('reports the memory limit: the cgroup limit when there is one, else the machine memory', async () => {
    const limit = memoryLimitBytes();
    expect(limit).toBeGreaterThan(0);
    expect(limit).toBeLessThanOrEqual(totalmem());
    const constrained = process.constrainedMemory();
    if (constrained > 0 && constrained < totalmem()) expect(limit).toBe(constrained);
    const text = await createMetrics({ version: '1.0.0', collectProcess: false }).registry.metrics();
    expect(text).toContain(`baton_memory_limit_bytes ${limit}`);
  });
});
