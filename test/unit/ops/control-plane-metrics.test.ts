import { describe, expect, it } from '@jest/globals';
import { controlPlaneMetrics } from '../../../src/cli/service.js';
import { createMetrics } from '../../../src/ops/index.js';

const sample = async (m: ReturnType<typeof createMetrics>, name: string) =>
  (await m.registry.getSingleMetricAsString(name)).split('\n').filter((l) => !l.startsWith('#'));

describe('control-plane metrics', () => {
  it('sets baton_control_plane_up from Hello and GetTask(s) only, ignoring calls we cancelled', async () => {
    const m = createMetrics({ version: '1.0.0', collectProcess: false });
    const { onCall } = controlPlaneMetrics(m);
    onCall('GetTask', 'OK');
    expect(await sample(m, 'baton_control_plane_up')).toEqual(['baton_control_plane_up 1']);
    // A heartbeat or FinishTask failing says something about one task, not about reaching the control plane.
    onCall('Heartbeat', 'UNAVAILABLE');
    onCall('FinishTask', 'NOT_FOUND');
    // Shutdown cancels the poll in flight.
    onCall('GetTasks', 'CANCELLED');
    expect(await sample(m, 'baton_control_plane_up')).toEqual(['baton_control_plane_up 1']);
    onCall('Hello', 'UNAVAILABLE');
    expect(await sample(m, 'baton_control_plane_up')).toEqual(['baton_control_plane_up 0']);
    expect(await sample(m, 'baton_control_plane_calls_total')).toEqual([
      'baton_control_plane_calls_total{method="GetTask",code="OK"} 1',
      'baton_control_plane_calls_total{method="Heartbeat",code="UNAVAILABLE"} 1',
      'baton_control_plane_calls_total{method="FinishTask",code="NOT_FOUND"} 1',
      'baton_control_plane_calls_total{method="GetTasks",code="CANCELLED"} 1',
      'baton_control_plane_calls_total{method="Hello",code="UNAVAILABLE"} 1',
    ]);
  });
});
