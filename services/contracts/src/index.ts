import 'reflect-metadata';

export * from './topology.js';
export * from './errors.js';
export * from './envelope.js';
export * from './patterns.js';
export * from './identity/roles.js';
export * from './identity/auth.dto.js';
export * from './roadmap/item.dto.js';
export * from './billing/webhook.js';
