import type { Logger } from 'pino';
import type { ConnectorRegistry, ResourceType } from '../connector/index.js';
import type { SyncStore } from '../connector/index.js';
import type { CompiledSyncOptions } from './sync-options.js';
import type { SyncTally } from './sync-tally.js';

/** Everything one sync phase needs. */
export interface SyncContext {
  readonly registry: ConnectorRegistry;
  readonly store: SyncStore;
  readonly options: CompiledSyncOptions;
  /** The resource types being synced (after the filter), in connector order. */
  readonly types: ReadonlyMap<string, ResourceType>;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly tally: SyncTally;
}
