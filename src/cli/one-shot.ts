import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { C1zWriter } from '../c1z/index.js';
import type { Config } from '../config/index.js';
import type { ConnectorRegistry } from '../connector/index.js';
import { failedPrecondition } from '../connector/index.js';
import { syncPagesPerListing } from '../fivetran/index.js';
import { runSync, type SyncProgressEvent, type SyncSummary } from '../sync/index.js';

const PROGRESS_INTERVAL_MS = 1000;

/**
 * One-shot mode: sync into `--file` and return. The c1z is written to a temp file and renamed into place only
 * when the sync succeeded, so a failed or interrupted sync leaves no file behind (an older file stays as it was).
 * A whole sync replaces the file; a targeted one (`--sync-resources`) is added to the syncs already in it, as
 * the SDK does, so its parent is the file's latest full sync.
 */
export async function runOneShot(o: {
  config: Config;
  registry: ConnectorRegistry;
  log: Logger;
  signal: AbortSignal;
}): Promise<SyncSummary> {
  const path = resolve(o.config.sync.file);
  const tempDir = o.config.sync.tempDir || dirname(path);
  if (!existsSync(dirname(path))) {
    throw failedPrecondition(`baton-fivetran: cannot write ${path}: folder ${dirname(path)} does not exist`);
  }
  if (o.config.sync.tempDir && !existsSync(o.config.sync.tempDir)) {
    throw failedPrecondition(`baton-fivetran: --c1z-temp-dir ${o.config.sync.tempDir} does not exist`);
  }
  const log = o.log.child({ component: 'one-shot' });
  const targets = o.config.sync.targetedResources;
  const writer =
    targets.length > 0 && existsSync(path)
      ? await C1zWriter.appendTo({ path, tempDir }, o.signal)
      : C1zWriter.create({ path, tempDir });
  const lastShown = new Map<string, number>();
  const progress = (e: SyncProgressEvent) => {
    const now = Date.now();
    const key = `${e.phase}:${e.resourceTypeId}`;
    if (now - (lastShown.get(key) ?? 0) < PROGRESS_INTERVAL_MS) return;
    lastShown.set(key, now);
    log.info({ phase: e.phase, resourceType: e.resourceTypeId, ...e.counts }, 'sync progress');
  };
  try {
    const summary = await runSync({
      registry: o.registry,
      store: writer,
      options: {
        resourceTypeIds: [...o.config.sync.resourceTypeIds],
        skipEntitlementsAndGrants: o.config.sync.skipEntitlementsAndGrants,
        ...(targets.length > 0 ? { targetedResources: targets } : {}),
        maxPagesPerListing: syncPagesPerListing(o.config.fivetran.maxListItems),
      },
      signal: o.signal,
      log,
      progress,
      concurrency: o.config.fivetran.concurrency,
    });
    const written = writer.writeStats;
    await writer.finish(o.signal);
    for (const [resourceType, counts] of Object.entries(summary.byResourceType)) {
      log.info({ resourceType, ...counts }, 'synced resource type');
    }
    log.info(
      {
        file: path,
        syncId: summary.syncId,
        durationMs: summary.durationMs,
        ...summary.totals,
        c1zRowsWritten: written.rows,
        c1zWriteMs: Math.round(written.ms),
        c1zWriteCpuMs: Math.round(written.cpuMs),
      },
      'sync finished',
    );
    return summary;
  } catch (err) {
    writer.abort();
    throw err;
  }
}
