export type { GrantExpansion, StoredGrant, StoredRow, SyncStore, SyncType } from '../connector/index.js';
export { runSync, type RunSyncArgs } from './syncer.js';
export {
  compileSyncOptions,
  DEFAULT_CONCURRENCY,
  DEFAULT_PAGE_SIZE,
  type CompiledSyncOptions,
  type TargetResource,
  type SyncOptions,
} from './sync-options.js';
export type {
  SyncCounts,
  SyncDrops,
  SyncPhase,
  SyncProgress,
  SyncProgressEvent,
  SyncSummary,
} from './sync-tally.js';
export {
  expandGrants,
  MAX_EXPANSION_DEPTH,
  type ExpandGrantsArgs,
  type ExpansionResult,
} from './expand-grants.js';
