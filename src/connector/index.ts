export * from './model.js';
export * from './errors.js';
export * from './connector.js';
export * from './ids.js';
export * from './struct.js';
export * from './annotations.js';
export * from './registry.js';
export * from './clock.js';
