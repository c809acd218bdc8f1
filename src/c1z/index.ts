export * from './c1z-writer.js';
export * from './c1z-reader.js';
export * from './inspect.js';
export { newKsuid, decodeKsuid, type DecodedKsuid } from './ksuid.js';
export { sqliteTime, SQLITE_TIME_PATTERN } from './sqlite-time.js';
export { C1Z_MAGIC, C1Z_V3_MAGIC } from './c1z-file.js';
export type { SyncStats } from './sync-stats.js';
