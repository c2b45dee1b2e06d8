export * from './bootstrap/index.js';
export * from './config/index.js';
export * from './database/index.js';
export * from './errors/index.js';
export * from './health/index.js';
export * from './logging/index.js';
export * from './metrics/index.js';
export * from './rpc-server/index.js';
