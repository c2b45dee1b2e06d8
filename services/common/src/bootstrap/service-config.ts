import { ENV, type TcpService } from '@northstar/contracts';
import { v } from '../config/index.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Variables every process reads. */
export function processSchema() {
  return {
    logLevel: v.oneOf(ENV.logLevel, LOG_LEVELS, { description: 'Minimum level of log lines written', default: 'info' }),
    shutdownDelayMs: v.int('SHUTDOWN_DELAY_MS', {
      description: 'After SIGTERM, how long readiness reports 503 while the process still serves (longer than the readiness period)',
      default: 5000,
      min: 0,
      max: 120_000,
    }),
    drainTimeoutMs: v.int('DRAIN_TIMEOUT_MS', {
      description: 'After the delay, how long in-flight work may take to finish before the process closes anyway',
      default: 10_000,
      min: 0,
      max: 120_000,
    }),
  };
}

/** Variables every TCP service reads; the defaults come from the topology. */
export function tcpServiceSchema(service: TcpService) {
  return {
    ...processSchema(),
    host: v.string(service.bindHostEnv, { description: 'Address the TCP server binds', default: '0.0.0.0' }),
    port: v.port(service.portEnv, { description: 'TCP port of the message server', default: service.port }),
    healthPort: v.port(service.healthPortEnv, { description: 'HTTP port for /health/* and /metrics', default: service.healthPort }),
    databaseUrl: v.url(ENV.databaseUrl, {
      description: 'PostgreSQL URL; unset runs on embedded PGlite in DATA_DIR',
      optional: true,
      sensitive: true,
      protocols: ['postgres:', 'postgresql:'],
    }),
    dataDir: v.string('DATA_DIR', { description: 'PGlite data directory (without DATABASE_URL)', default: `.data/${service.name}` }),
    databasePoolSize: v.int('DATABASE_POOL_SIZE', { description: 'PostgreSQL connections per process', default: 10, min: 1, max: 100 }),
    maxMessageBytes: v.int('MAX_MESSAGE_BYTES', {
      description: 'Largest TCP message accepted; a peer announcing more is disconnected',
      default: 2 * 1024 * 1024,
      min: 1024,
    }),
    incompleteMessageTimeoutMs: v.int('INCOMPLETE_MESSAGE_TIMEOUT_MS', {
      description: 'A partial message not completed within this time drops its connection',
      default: 5000,
      min: 100,
    }),
    maxSendBufferBytes: v.int('MAX_SEND_BUFFER_BYTES', {
      description: 'Bytes queued for a peer that does not read before its connection is dropped',
      default: 8 * 1024 * 1024,
      min: 1024,
    }),
  };
}
