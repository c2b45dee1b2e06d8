import type { Registry } from 'prom-client';
import type { RpcPattern } from './pattern.js';

/** Pino-compatible: endpoint changes and breaker transitions are reported here. */
export interface RpcClientLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Every address behind a host name. */
export type HostResolver = (host: string) => Promise<string[]>;

export interface RpcClientPoolOptions {
  /** Name of the downstream service, the `service` label of the metrics (e.g. `roadmap`). */
  readonly name: string;
  /** Host name to resolve (a headless Service in the cluster), an IP, `localhost`, or a comma-separated list of those. */
  readonly host: string;
  /** TCP port every endpoint listens on. */
  readonly port: number;
  /**
   * Returns every address behind `host`.
   * @default `dns.promises.lookup(host, { all: true })`; an IP literal is used as is
   */
  readonly resolve?: HostResolver;
  /**
   * How often `host` is resolved again; it is also re-resolved when a connection fails.
   * @default 5000
   */
  readonly resolveIntervalMs?: number;
  /**
   * Sockets kept open to each endpoint.
   * @default 1
   */
  readonly connectionsPerEndpoint?: number;
  /**
   * Bound of a whole call, retries included; `send` may override it per call.
   * @default 5000
   */
  readonly timeoutMs?: number;
  /**
   * Bound of one attempt; lower than `timeoutMs` leaves time to retry a hung idempotent call elsewhere.
   * @default timeoutMs
   */
  readonly attemptTimeoutMs?: number;
  /**
   * Bound of a TCP connect.
   * @default 1000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Idle time before the first TCP keepalive probe.
   * @default 10000
   */
  readonly keepAliveInitialDelayMs?: number;
  /**
   * Consecutive transport failures (connect errors, lost connections, timeouts) that open an endpoint's circuit.
   * @default 5
   */
  readonly breakerFailureThreshold?: number;
  /**
   * Time an open circuit waits before letting one probe through.
   * @default 5000
   */
  readonly breakerCoolDownMs?: number;
  /**
   * Retries of an idempotent call, each on an endpoint not tried yet for this call.
   * @default 2
   */
  readonly maxRetries?: number;
  /**
   * First backoff before a retry; it doubles per retry, with full jitter.
   * @default 25
   */
  readonly retryBackoffBaseMs?: number;
  /**
   * Largest backoff before a retry.
   * @default 250
   */
  readonly retryBackoffMaxMs?: number;
  /**
   * Retries allowed per request, over time (0.2 = retries add at most 20% load).
   * @default 0.2
   */
  readonly retryBudgetRatio?: number;
  /**
   * Retries allowed per second regardless of traffic.
   * @default 10
   */
  readonly retryBudgetMinPerSecond?: number;
  /**
   * Largest number of retries the budget can save up (the burst after a quiet period).
   * @default 100
   */
  readonly retryBudgetMaxTokens?: number;
  /**
   * Whether a pattern may be retried; `send`'s `idempotent` option overrides it per call.
   * @default `isIdempotent` of @northstar/contracts for `{cmd}` patterns, false otherwise
   */
  readonly isIdempotent?: (pattern: RpcPattern) => boolean;
  /**
   * Largest response frame accepted, in characters; a larger one closes the connection.
   * @default 16 MiB
   */
  readonly maxMessageLength?: number;
  /**
   * Registry for the `northstar_rpc_client_*` metrics.
   * @default no metrics
   */
  readonly registry?: Registry;
  /** @default silent */
  readonly logger?: RpcClientLogger;
}

export interface SendOptions {
  /** @default the pool's `timeoutMs` */
  readonly timeoutMs?: number;
  /** @default the pool's `isIdempotent(pattern)` */
  readonly idempotent?: boolean;
}

export interface EmitOptions {
  /** Bound of finding an endpoint and handing the event to its socket. @default the pool's `timeoutMs` */
  readonly timeoutMs?: number;
}

export const RPC_CLIENT_POOL_DEFAULTS = {
  resolveIntervalMs: 5000,
  connectionsPerEndpoint: 1,
  timeoutMs: 5000,
  connectTimeoutMs: 1000,
  keepAliveInitialDelayMs: 10_000,
  breakerFailureThreshold: 5,
  breakerCoolDownMs: 5000,
  maxRetries: 2,
  retryBackoffBaseMs: 25,
  retryBackoffMaxMs: 250,
  retryBudgetRatio: 0.2,
  retryBudgetMinPerSecond: 10,
  retryBudgetMaxTokens: 100,
  maxMessageLength: 16 * 1024 * 1024,
} as const;

type Defaulted = keyof typeof RPC_CLIENT_POOL_DEFAULTS;

export type ResolvedRpcClientPoolOptions = Omit<RpcClientPoolOptions, Defaulted> & {
  readonly [K in Defaulted]-?: number;
};

/** Applies the defaults and checks every field; the error names each bad one. */
export function resolvePoolOptions(options: RpcClientPoolOptions): ResolvedRpcClientPoolOptions {
  const resolved = { ...RPC_CLIENT_POOL_DEFAULTS, ...withoutUndefined(options), name: options.name, host: options.host, port: options.port };
  const problems: string[] = [];
  const check = (field: string, ok: boolean, rule: string): void => {
    if (!ok) problems.push(`${field} ${rule}`);
  };
  const int = (field: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void =>
    check(field, Number.isInteger(value) && value >= min && value <= max, `must be an integer from ${min} to ${max} (got ${value})`);

  check('name', typeof options.name === 'string' && options.name.length > 0, 'must be a non-empty string');
  check('host', typeof options.host === 'string' && options.host.length > 0, 'must be a non-empty string');
  int('port', options.port, 1, 65535);
  int('resolveIntervalMs', resolved.resolveIntervalMs, 10);
  int('connectionsPerEndpoint', resolved.connectionsPerEndpoint, 1, 64);
  int('timeoutMs', resolved.timeoutMs, 1);
  if (options.attemptTimeoutMs !== undefined) int('attemptTimeoutMs', options.attemptTimeoutMs, 1, resolved.timeoutMs);
  int('connectTimeoutMs', resolved.connectTimeoutMs, 1);
  int('keepAliveInitialDelayMs', resolved.keepAliveInitialDelayMs, 0);
  int('breakerFailureThreshold', resolved.breakerFailureThreshold, 1);
  int('breakerCoolDownMs', resolved.breakerCoolDownMs, 0);
  int('maxRetries', resolved.maxRetries, 0, 10);
  int('retryBackoffBaseMs', resolved.retryBackoffBaseMs, 0);
  int('retryBackoffMaxMs', resolved.retryBackoffMaxMs, resolved.retryBackoffBaseMs);
  check('retryBudgetRatio', resolved.retryBudgetRatio >= 0 && resolved.retryBudgetRatio <= 1, `must be from 0 to 1 (got ${resolved.retryBudgetRatio})`);
  check('retryBudgetMinPerSecond', resolved.retryBudgetMinPerSecond >= 0 && Number.isFinite(resolved.retryBudgetMinPerSecond), `must be a finite number >= 0 (got ${resolved.retryBudgetMinPerSecond})`);
  check('retryBudgetMaxTokens', resolved.retryBudgetMaxTokens >= 1 && Number.isFinite(resolved.retryBudgetMaxTokens), `must be a finite number >= 1 (got ${resolved.retryBudgetMaxTokens})`);
  int('maxMessageLength', resolved.maxMessageLength, 1);
  if (options.resolve !== undefined) check('resolve', typeof options.resolve === 'function', 'must be a function');
  if (options.isIdempotent !== undefined) check('isIdempotent', typeof options.isIdempotent === 'function', 'must be a function');

  if (problems.length > 0) throw new TypeError(`Invalid RpcClientPool options for "${String(options.name)}": ${problems.join('; ')}`);
  return resolved;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
