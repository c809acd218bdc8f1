export * from './schema.js';
export * from './secret.js';
export * from './config.js';
export * from './config-error.js';
export * from './argv.js';
export * from './load-config.js';
export * from './help.js';
export * from './unknown-env.js';
