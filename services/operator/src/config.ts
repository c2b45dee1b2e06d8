import { hostname } from 'node:os';

export interface OperatorConfig {
  /** Namespace of the leader-election Lease (the operator's own). */
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly identity: string;
  /** Only Platforms in this namespace; every namespace when empty. */
  readonly watchNamespace: string | undefined;
  readonly healthPort: number;
  readonly logLevel: string;
  readonly silenceSeconds: number;
  readonly resyncSeconds: number;
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineSeconds: number;
  readonly retryPeriodSeconds: number;
}

/** Reads and checks the environment once, reporting every bad variable together. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const errors: string[] = [];
  const int = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) errors.push(`${name} must be an integer >= ${min}, got '${raw}'`);
    return n;
  };
  const config: OperatorConfig = {
    leaseNamespace: env['OPERATOR_NAMESPACE'] || 'northstar-system',
    leaseName: env['LEASE_NAME'] || 'northstar-operator',
    identity: env['POD_NAME'] || `${hostname()}-${process.pid}`,
    watchNamespace: env['WATCH_NAMESPACE'] || undefined,
    healthPort: int('HEALTH_PORT', 8081, 0),
    logLevel: env['LOG_LEVEL'] || 'info',
    silenceSeconds: int('WATCH_SILENCE_SECONDS', 90, 1),
    resyncSeconds: int('RESYNC_SECONDS', 300, 1),
    leaseDurationSeconds: int('LEASE_DURATION_SECONDS', 15, 1),
    renewDeadlineSeconds: int('RENEW_DEADLINE_SECONDS', 10, 1),
    retryPeriodSeconds: int('RETRY_PERIOD_SECONDS', 2, 1),
  };
  if (config.healthPort > 65535) errors.push(`HEALTH_PORT must be a port number, got ${config.healthPort}`);
  if (config.renewDeadlineSeconds >= config.leaseDurationSeconds) {
    errors.push(`RENEW_DEADLINE_SECONDS (${config.renewDeadlineSeconds}) must be below LEASE_DURATION_SECONDS (${config.leaseDurationSeconds})`);
  }
  if (config.retryPeriodSeconds >= config.renewDeadlineSeconds) {
    errors.push(`RETRY_PERIOD_SECONDS (${config.retryPeriodSeconds}) must be below RENEW_DEADLINE_SECONDS (${config.renewDeadlineSeconds})`);
  }
  if (errors.length > 0) throw new Error(`invalid operator configuration:\n  ${errors.join('\n  ')}`);
  return config;
}
