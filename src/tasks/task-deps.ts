import type { Clock, ConnectorRegistry } from '../connector/index.js';
import type { SyncStore, SyncSummary } from '../sync/index.js';

/** A sync store backed by a file: the c1z writer in production. */
export interface SyncFileStore extends SyncStore {
  /** Writes the finished file at its path. */
  finish(signal?: AbortSignal): Promise<void> | void;
  /** Discards the work; the caller removes the file. */
  abort(): Promise<void> | void;
}

export type OpenSyncStore = (o: {
  readonly path: string;
  readonly tempDir: string;
  readonly clock: Clock;
}) => Promise<SyncFileStore> | SyncFileStore;

/** Everything the task handlers need besides the per-task context, wired once in main.ts. */
export interface TaskDeps {
  readonly registry: ConnectorRegistry;
  /** `--provisioning`: when false, provisioning tasks fail FAILED_PRECONDITION without touching the connector. */
  readonly provisioningEnabled: boolean;
  /** Where full syncs write their temporary c1z (`--c1z-temp-dir`, else the OS temp dir). */
  readonly tempDir: string;
  /** Concurrent connector calls within one sync. */
  readonly syncConcurrency?: number;
  /** The sync engine's page cap per listing (default: the engine's). */
  readonly syncMaxPagesPerListing?: number;
  /** Local `--sync-resource-types`: used when the task names none. */
  readonly syncResourceTypeIds?: readonly string[];
  /** Defaults to the c1z writer. */
  readonly openSyncStore?: OpenSyncStore;
  /** Called once a sync's file was uploaded: feeds the sync metrics. */
  readonly onSyncUploaded?: (summary: SyncSummary) => void;
  /** Called once per full sync however it ended (success, error or cancelled): feeds the sync metrics. */
  readonly onSyncEnded?: (ended: SyncEnded) => void;
}

/** How a full-sync task ended; `upload` is present when the upload was tried. */
export interface SyncEnded {
  readonly outcome: 'success' | 'error' | 'cancelled';
  /** From the start of the sync to the end of the upload (or the failure). */
  readonly durationMs: number;
  /** Size of the finished c1z file. */
  readonly c1zBytes?: number;
  readonly upload?: { readonly ok: boolean; readonly durationMs: number };
}
