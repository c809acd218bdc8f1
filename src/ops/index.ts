export * from './log.js';
export * from './metrics.js';
export * from './ops-server.js';
export * from './health-check.js';
