export * from './message.decorators.js';
export * from './rpc-server.interceptor.js';
