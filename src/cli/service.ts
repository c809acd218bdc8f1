import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { systemClock, toBatonError, codeName, type Clock } from '../connector/index.js';
import {
  doublingBackoffMs,
  GrpcBatonClient,
  TaskLoop,
  startupHello,
  type TaskLoopMetrics,
} from '../control-plane/index.js';
import { syncPagesPerListing } from '../fivetran/index.js';
import { createMetrics, OpsServer, type Metrics } from '../ops/index.js';
import {
  createTaskHandlers,
  probeWritable,
  removeOwnTempFilesSync,
  removeStaleTempFiles,
} from '../tasks/index.js';
import type { CliIo } from './cli-io.js';
import { buildRegistry, proxyRouterFor } from './build-connector.js';

/**
 * Service mode: Hello, then poll for tasks until SIGTERM/SIGINT, then drain. Returns the exit code:
 * 0 after a clean shutdown, 1 when start-up fails for a reason retrying cannot fix.
 */
export async function runService(o: {
  config: Config;
  log: Logger;
  version: string;
  shutdown: AbortSignal;
  io: Pick<CliIo, 'stderr' | 'onForcedExit'>;
}): Promise<number> {
  const { config, log } = o;
  const tempDir = config.sync.tempDir || tmpdir();
  if (!existsSync(tempDir)) {
    o.io.stderr(`baton-fivetran: --c1z-temp-dir ($BATON_C1Z_TEMP_DIR) ${tempDir} does not exist\n`);
    return 1;
  }
  if (config.sync.targetedResources.length > 0) {
    // baton-sdk would turn every sync task into a partial one; here tasks name their own targets.
    log.warn('--sync-resources is for one-shot mode; service mode syncs what each task names');
  }
  const metrics = createMetrics({ version: o.version });
  const proxy = proxyRouterFor(config);
  const registry = buildRegistry({ config, log, version: o.version, metrics, proxy });

  const client = new GrpcBatonClient({
    clientId: config.controlPlane.clientId,
    clientSecret: config.controlPlane.clientSecret.reveal(),
    hostId: config.controlPlane.hostId,
    httpTimeoutMs: config.controlPlane.httpTimeoutMs,
    version: o.version,
    log: log.child({ component: 'control-plane' }),
    helloInfo: () => ({ connectorMetadata: registry.metadata() }),
    ...controlPlaneMetrics(metrics),
    ...(proxy.isEnabled ? { proxy } : {}),
    ...(config.controlPlane.apiHostOverride !== undefined
      ? { apiHostOverride: config.controlPlane.apiHostOverride }
      : {}),
  });
  const loop = new TaskLoop({
    client,
    handlers: createTaskHandlers({
      registry,
      provisioningEnabled: config.sync.provisioning,
      tempDir,
      syncConcurrency: config.fivetran.concurrency,
      syncMaxPagesPerListing: syncPagesPerListing(config.fivetran.maxListItems),
      syncResourceTypeIds: config.sync.resourceTypeIds,
      onSyncUploaded: (summary) => {
        // A targeted (partial) sync holds a few resources: it says nothing about the account's size.
        if (summary.syncType === 'partial') return;
        for (const [kind, n] of Object.entries(summary.totals)) metrics.syncObjects.set({ kind }, n);
        metrics.syncLastSuccess.set(Date.now() / 1000);
      },
      onSyncEnded: (ended) => {
        metrics.syncDuration.observe({ outcome: ended.outcome }, ended.durationMs / 1000);
        if (ended.outcome === 'success' && ended.c1zBytes !== undefined) {
          metrics.syncC1zBytes.set(ended.c1zBytes);
          metrics.uploadBytes.inc(ended.c1zBytes);
        }
        if (ended.upload) {
          const outcome = ended.upload.ok ? 'success' : 'error';
          metrics.uploadDuration.observe({ outcome }, ended.upload.durationMs / 1000);
        }
      },
    }),
    concurrency: config.runtime.taskConcurrency,
    clock: systemClock,
    log: log.child({ component: 'tasks' }),
    metrics: loopMetrics(metrics),
    shutdownGraceMs: config.runtime.shutdownGraceMs,
    getTasks: config.controlPlane.getTasks,
  });

  // Before the task loop runs, /ready says what start-up waits for.
  let startupWait: string | undefined = 'starting';
  let ops: OpsServer | undefined;
  const unregisterForcedExit = o.io.onForcedExit?.(() => {
    const removed = removeOwnTempFilesSync(tempDir);
    log.warn({ dir: tempDir, count: removed.length }, 'removed temp files before exiting');
  });
  try {
    if (config.runtime.opsListen) {
      ops = new OpsServer({
        ...config.runtime.opsListen,
        registry: metrics.registry,
        validate: (signal) => registry.connector.validate({ signal }),
        readiness: () => {
          if (startupWait !== undefined) return { ready: false, reason: startupWait };
          const s = loop.status();
          return s.state === 'running'
            ? { ready: true, details: { inFlight: s.inFlight } }
            : { ready: false, reason: `task loop is ${s.state}` };
        },
        log,
      });
      const address = await ops.listen();
      log.info({ address: address.host, port: address.port }, 'ops server listening');
    }
    log.info(
      {
        hostId: config.controlPlane.hostId,
        provisioning: config.sync.provisioning,
        taskConcurrency: config.runtime.taskConcurrency,
      },
      'service mode starting',
    );
    if (
      !(await prepareTempDir({
        dir: tempDir,
        log,
        clock: systemClock,
        signal: o.shutdown,
        wait: (why) => (startupWait = why),
      }))
    ) {
      log.info('shut down before the c1z temp dir became writable');
      return 0;
    }
    startupWait = 'waiting for the control plane to accept hello';
    try {
      await startupHello({ client, clock: systemClock, log, signal: o.shutdown });
    } catch (err) {
      if (o.shutdown.aborted) {
        log.info('shut down before the control plane accepted hello');
        return 0;
      }
      const e = toBatonError(err);
      log.error({ err: e, grpcCode: codeName(e.code) }, 'startup hello failed');
      o.io.stderr(`baton-fivetran: startup Hello failed: ${e.message} (${codeName(e.code)})\n`);
      return 1;
    }
    startupWait = undefined;
    await loop.run(o.shutdown);
    log.info(loop.status(), 'service stopped');
    return 0;
  } finally {
    unregisterForcedExit?.();
    client.close();
    proxy.destroy();
    await ops?.close();
  }
}

/** Methods whose success or failure says whether the control plane is reachable and accepts us. */
const LIVENESS_METHODS = new Set(['Hello', 'GetTask', 'GetTasks']);

export function controlPlaneMetrics(m: Metrics) {
  return {
    onCall: (method: string, code: string) => {
      m.controlPlaneCalls.inc({ method, code });
      // A call we cancelled ourselves (shutdown) says nothing about the control plane.
      if (LIVENESS_METHODS.has(method) && code !== 'CANCELLED') m.controlPlaneUp.set(code === 'OK' ? 1 : 0);
    },
    onTokenRefresh: (ok: boolean) => m.tokenRefreshes.inc({ outcome: ok ? 'success' : 'error' }),
  };
}

const MAX_TEMP_DIR_PROBE_WAIT_MS = 30_000;

/**
 * Makes sure sync tasks can write: waits (probing with 1 s doubling backoff, at most 30 s apart) until the temp
 * dir takes a file, with /ready failing and an error logged meanwhile, then removes the temp files a killed
 * predecessor left. Resolves false when shutdown came first.
 */
async function prepareTempDir(o: {
  dir: string;
  log: Logger;
  clock: Clock;
  signal: AbortSignal;
  wait: (reason: string) => void;
}): Promise<boolean> {
  for (let failures = 0; ;) {
    const problem = await probeWritable(o.dir);
    if (problem === undefined) {
      if (failures > 0) o.log.info({ dir: o.dir }, 'c1z temp dir is writable again');
      break;
    }
    const waitMs = doublingBackoffMs(++failures, MAX_TEMP_DIR_PROBE_WAIT_MS);
    o.wait(`c1z temp dir ${o.dir} is not writable: ${problem}`);
    o.log.error({ dir: o.dir, error: problem, retryInMs: waitMs }, 'c1z temp dir is not writable');
    try {
      await o.clock.sleep(waitMs, o.signal);
    } catch {
      return false;
    }
  }
  try {
    const removed = await removeStaleTempFiles(o.dir);
    if (removed.length > 0)
      o.log.info({ dir: o.dir, count: removed.length, removed }, 'removed stale temp files');
  } catch (err) {
    o.log.warn({ err, dir: o.dir }, 'could not remove stale temp files');
  }
  return true;
}

function loopMetrics(m: Metrics): TaskLoopMetrics {
  return {
    taskStarted: () => m.tasksInFlight.inc(),
    taskEnded: (taskType, outcome, durationMs) => {
      m.tasksInFlight.dec();
      m.tasks.inc({ task_type: taskType, outcome });
      m.taskDuration.observe({ task_type: taskType }, durationMs / 1000);
      if (outcome === 'success') m.taskLastSuccess.set({ task_type: taskType }, Date.now() / 1000);
    },
    getTaskFailed: () => m.controlPlaneErrors.inc({ method: 'GetTask' }),
    finishTaskFailed: () => m.controlPlaneErrors.inc({ method: 'FinishTask' }),
    duplicateTask: () => m.duplicateTasks.inc(),
  };
}
