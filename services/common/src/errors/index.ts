export * from './rpc-exception.filter.js';
export * from './validation.js';
