export * from './graceful-shutdown.js';
export * from './run-microservice.js';
export * from './service-config.js';
export * from './run-main.js';
