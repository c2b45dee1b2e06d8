import { isRpcErrorPayload } from '@northstar/contracts';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { CircuitPermit, CircuitState } from './circuit-breaker.js';
import { isIdempotentPattern, patternToRoute, type RpcPattern } from './pattern.js';
import { RetryBudget } from './retry-budget.js';
import type { RpcClientError } from './rpc-client.error.js';
import { type AttemptOutcome, RpcClientMetrics } from './rpc-client-metrics.js';
import {
  type EmitOptions,
  type HostResolver,
  type ResolvedRpcClientPoolOptions,
  type RpcClientPoolOptions,
  resolvePoolOptions,
  type SendOptions,
} from './rpc-client-pool.options.js';
import { RpcEndpoint } from './rpc-endpoint.js';
import { RpcRemoteError } from './rpc-remote.error.js';
import { RpcTimeoutError } from './rpc-timeout.error.js';
import { RpcUnavailableError, type RpcUnavailableReason } from './rpc-unavailable.error.js';

export interface RpcEndpointSnapshot {
  readonly endpoint: string;
  readonly breaker: CircuitState;
  readonly pending: number;
  readonly openConnections: number;
}

interface Picked {
  readonly endpoint: RpcEndpoint;
  readonly permit: CircuitPermit;
}

type PoolState = 'idle' | 'running' | 'closing' | 'closed';

/**
 * Client of one NestJS TCP service behind a DNS name. It keeps sockets to every address the
 * name resolves to and balances each message (not each connection) across them, so pods added
 * behind a headless Service get traffic at once. See docs/adr/0003-client-side-balancing.md.
 *
 * Requests go to the endpoint with the fewest calls in flight (ties rotate). An event goes to
 * one endpoint, picked the same way, and is delivered at most once.
 */
export class RpcClientPool {
  private readonly options: ResolvedRpcClientPoolOptions;
  private readonly metrics: RpcClientMetrics;
  private readonly budget: RetryBudget;
  private readonly resolveHost: HostResolver;
  private readonly isIdempotent: (pattern: RpcPattern) => boolean;
  private endpoints: RpcEndpoint[] = [];
  /** Removed from DNS, finishing the calls they already have. */
  private readonly draining = new Map<string, RpcEndpoint>();
  private cursor = 0;
  private state: PoolState = 'idle';
  private interval: NodeJS.Timeout | undefined;
  private initialResolution: Promise<void> | undefined;
  private resolved = false;
  private resolving: Promise<void> | undefined;
  private lastResolveAt = Number.NEGATIVE_INFINITY;
  private activeCalls = 0;
  private onIdle: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: RpcClientPoolOptions) {
    this.options = resolvePoolOptions(options);
    this.metrics = new RpcClientMetrics(options.registry, this.options.name);
    this.budget = new RetryBudget({
      ratio: this.options.retryBudgetRatio,
      minPerSecond: this.options.retryBudgetMinPerSecond,
      maxTokens: this.options.retryBudgetMaxTokens,
    });
    this.resolveHost = options.resolve ?? defaultResolver;
    this.isIdempotent = options.isIdempotent ?? isIdempotentPattern;
    this.metrics.poolSize(0);
  }

  get name(): string {
    return this.options.name;
  }

  /**
   * Resolves the host, opens the sockets and starts re-resolving. Calls start the pool on
   * their own; call this at boot to connect early. A failed resolution is logged, not thrown.
   */
  start(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return Promise.resolve();
    if (!this.initialResolution) {
      this.state = 'running';
      this.initialResolution = this.refresh().then(() => {
        this.resolved = true;
      });
      this.interval = setInterval(() => void this.refresh(), this.options.resolveIntervalMs);
      this.interval.unref();
    }
    return this.initialResolution;
  }

  /**
   * Sends a request and resolves with the server's answer (the last value of a streamed one).
   * Rejects with `RpcRemoteError` (the server's error payload), `RpcTimeoutError` or
   * `RpcUnavailableError`. Idempotent calls are retried on another endpoint within the budget.
   */
  async send<TResult = unknown>(pattern: RpcPattern, data: unknown, options: SendOptions = {}): Promise<TResult> {
    const route = patternToRoute(pattern);
    if (this.state === 'closing' || this.state === 'closed') throw new RpcUnavailableError('closed', route, undefined, false);
    const timeoutMs = callTimeout(options.timeoutMs, this.options.timeoutMs);
    const dataJson = serialize(data);
    const idempotent = options.idempotent ?? this.isIdempotent(pattern);
    const started = performance.now();
    let outcome: AttemptOutcome = 'success';
    this.activeCalls += 1;
    try {
      return (await this.call(route, dataJson, timeoutMs, started + timeoutMs, idempotent)) as TResult;
    } catch (err) {
      outcome = outcomeOf(err);
      throw err;
    } finally {
      this.metrics.call(route, outcome, (performance.now() - started) / 1000);
      this.callEnded();
    }
  }

  /**
   * Emits an event (`@EventPattern` on the server) to one endpoint and resolves once it is
   * written to that socket. Re-routed only if it could not be written; never retried after.
   */
  async emit(pattern: RpcPattern, data: unknown, options: EmitOptions = {}): Promise<void> {
    const route = patternToRoute(pattern);
    if (this.state === 'closing' || this.state === 'closed') throw new RpcUnavailableError('closed', route, undefined, false);
    const timeoutMs = callTimeout(options.timeoutMs, this.options.timeoutMs);
    const dataJson = serialize(data);
    const deadline = performance.now() + timeoutMs;
    this.activeCalls += 1;
    try {
      await this.whenResolved(route, deadline, timeoutMs);
      const tried = new Set<RpcEndpoint>();
      let lastError: RpcClientError | undefined;
      for (;;) {
        const remaining = deadline - performance.now();
        if (remaining <= 0) {
          this.metrics.event(lastError?.endpoint, route, 'timeout');
          throw new RpcTimeoutError(route, lastError?.endpoint, timeoutMs);
        }
        const picked = this.pick(tried, true);
        if (typeof picked === 'string') {
          this.metrics.event(undefined, route, 'unavailable');
          throw lastError ?? this.rejectCall(route, picked);
        }
        const { endpoint, permit } = picked;
        tried.add(endpoint);
        try {
          await endpoint.emit(route, dataJson, remaining);
          this.metrics.event(endpoint.key, route, 'sent');
          return;
        } catch (err) {
          if (!(err instanceof RpcUnavailableError) || err.reason === 'closed') {
            endpoint.breaker.release(permit);
            throw err;
          }
          endpoint.breaker.recordFailure(permit);
          this.metrics.event(endpoint.key, route, 'unavailable');
          if (err.requestSent) throw err;
          lastError = err;
        }
      }
    } finally {
      this.callEnded();
    }
  }

  /** Resolves the host now (calls made meanwhile share it). */
  refresh(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return Promise.resolve();
    this.resolving ??= this.resolveOnce().finally(() => {
      this.resolving = undefined;
    });
    return this.resolving;
  }

  /** Endpoints in rotation, for readiness checks and debugging. */
  snapshot(): RpcEndpointSnapshot[] {
    return this.endpoints.map((e) => ({
      endpoint: e.key,
      breaker: e.breaker.state,
      pending: e.pending,
      openConnections: e.openConnections,
    }));
  }

  /**
   * Refuses new calls, waits for the calls in flight (each bounded by its timeout), then
   * closes every socket and timer.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.state = 'closing';
    clearInterval(this.interval);
    this.interval = undefined;
    if (this.activeCalls > 0) {
      await new Promise<void>((resolve) => {
        this.onIdle = resolve;
      });
    }
    const all = [...this.endpoints, ...this.draining.values()];
    this.endpoints = [];
    this.draining.clear();
    for (const endpoint of all) endpoint.closeNow();
    this.metrics.poolSize(0);
    this.state = 'closed';
  }

  private async call(
    route: string,
    dataJson: string | undefined,
    timeoutMs: number,
    deadline: number,
    idempotent: boolean,
  ): Promise<unknown> {
    this.budget.deposit();
    if (!this.resolved) await this.whenResolved(route, deadline, timeoutMs);
    const tried = new Set<RpcEndpoint>();
    let lastError: RpcClientError | undefined;
    let retries = 0;
    for (;;) {
      if (this.state !== 'running') throw new RpcUnavailableError('closed', route, undefined, false);
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new RpcTimeoutError(route, lastError?.endpoint, timeoutMs);
      const picked = this.pick(tried, false);
      if (typeof picked === 'string') throw lastError ?? this.rejectCall(route, picked);
      const { endpoint, permit } = picked;
      tried.add(endpoint);
      try {
        const attemptTimeout = Math.min(remaining, this.options.attemptTimeoutMs ?? remaining);
        const result = await endpoint.request(route, dataJson, attemptTimeout);
        endpoint.breaker.recordSuccess(permit);
        this.metrics.attempt(endpoint.key, route, 'success');
        return result;
      } catch (err) {
        if (err instanceof RpcRemoteError && isShuttingDown(err)) {
          // The instance refused the call before running it, so any pattern may go elsewhere.
          endpoint.breaker.release(permit);
          this.retire(endpoint);
          this.metrics.attempt(endpoint.key, route, 'unavailable', 'shutting_down');
          lastError = new RpcUnavailableError('shutting_down', route, endpoint.key, false, { cause: err });
          continue;
        }
        if (err instanceof RpcRemoteError) {
          endpoint.breaker.recordSuccess(permit);
          this.metrics.attempt(endpoint.key, route, 'remote_error', 'remote');
          throw err;
        }
        if (!(err instanceof RpcTimeoutError || err instanceof RpcUnavailableError) || isClosed(err)) {
          endpoint.breaker.release(permit);
          throw err;
        }
        endpoint.breaker.recordFailure(permit);
        const timedOut = err instanceof RpcTimeoutError;
        this.metrics.attempt(endpoint.key, route, timedOut ? 'timeout' : 'unavailable', timedOut ? 'timeout' : err.reason);
        lastError = err;
        if (performance.now() >= deadline) throw new RpcTimeoutError(route, endpoint.key, timeoutMs);
        // A request no server received cannot have had an effect: route it elsewhere, free of budget.
        if (err instanceof RpcUnavailableError && !err.requestSent) continue;
        if (!idempotent || retries >= this.options.maxRetries || !this.hasCandidate(tried)) throw err;
        if (!this.budget.tryWithdraw()) {
          this.metrics.retryDenied(route);
          throw err;
        }
        retries += 1;
        this.metrics.retry(route);
        await sleep(Math.min(this.backoff(retries), deadline - performance.now()));
      }
    }
  }

  /** Least calls in flight wins; the scan starts one further each time, so ties rotate. */
  private pick(exclude: ReadonlySet<RpcEndpoint>, closedOnly: boolean): Picked | RpcUnavailableReason {
    const count = this.endpoints.length;
    if (count === 0) return 'no_endpoint';
    const start = this.cursor % count;
    this.cursor = start + 1;
    let best: RpcEndpoint | undefined;
    for (let i = 0; i < count; i += 1) {
      const endpoint = this.endpoints[(start + i) % count];
      if (!endpoint || exclude.has(endpoint) || !endpoint.breaker.canPass()) continue;
      if (closedOnly && endpoint.breaker.state !== 'closed') continue;
      if (!best || endpoint.pending < best.pending) best = endpoint;
    }
    const permit = best?.breaker.acquire();
    if (!best || !permit) return 'circuit_open';
    return { endpoint: best, permit };
  }

  private hasCandidate(exclude: ReadonlySet<RpcEndpoint>): boolean {
    return this.endpoints.some((e) => !exclude.has(e) && e.breaker.canPass());
  }

  private rejectCall(route: string, reason: RpcUnavailableReason): RpcUnavailableError {
    this.metrics.rejected(route, reason);
    if (reason === 'no_endpoint') this.refreshAfterTrouble();
    return new RpcUnavailableError(reason, route, undefined, false);
  }

  /** Full jitter: uniform in [0, base·2^(n-1)], capped. */
  private backoff(retry: number): number {
    const ceiling = Math.min(this.options.retryBackoffMaxMs, this.options.retryBackoffBaseMs * 2 ** (retry - 1));
    return Math.random() * ceiling;
  }

  private async whenResolved(route: string, deadline: number, timeoutMs: number): Promise<void> {
    const initial = this.start();
    if (this.resolved) return;
    if (!(await settlesWithin(initial, deadline - performance.now()))) {
      throw new RpcTimeoutError(route, undefined, timeoutMs);
    }
  }

  private callEnded(): void {
    this.activeCalls -= 1;
    if (this.activeCalls === 0) this.onIdle?.();
  }

  private async resolveOnce(): Promise<void> {
    this.lastResolveAt = performance.now();
    const { host } = this.options;
    let addresses: unknown;
    try {
      addresses = await this.resolveHost(host);
      if (!Array.isArray(addresses)) throw new TypeError('the resolver did not return an array');
    } catch (err) {
      this.options.logger?.warn({ service: this.options.name, host, err }, 'RPC host resolution failed; keeping the current endpoints');
      return;
    }
    if (this.state !== 'running') return;
    this.apply(new Set(addresses.filter((a): a is string => typeof a === 'string' && a.length > 0)));
  }

  private apply(addresses: ReadonlySet<string>): void {
    const { logger, name: service } = this.options;
    const next = this.endpoints.filter((e) => addresses.has(e.address));
    const removed = this.endpoints.filter((e) => !addresses.has(e.address));
    const known = new Set(next.map((e) => e.address));
    for (const address of addresses) {
      if (known.has(address)) continue;
      const drained = this.draining.get(address);
      if (drained?.undrain()) {
        this.draining.delete(address);
        next.push(drained);
        logger?.info({ service, endpoint: drained.key }, 'RPC endpoint added back');
        continue;
      }
      const endpoint = this.createEndpoint(address);
      next.push(endpoint);
      this.metrics.breakerState(endpoint.key, 'closed');
      endpoint.warm();
      logger?.info({ service, endpoint: endpoint.key }, 'RPC endpoint added');
    }
    this.endpoints = next;
    this.metrics.poolSize(next.length);
    for (const endpoint of removed) {
      this.draining.set(endpoint.address, endpoint);
      logger?.info({ service, endpoint: endpoint.key, pending: endpoint.pending }, 'RPC endpoint removed');
      endpoint.drain();
    }
  }

  private createEndpoint(address: string): RpcEndpoint {
    const o = this.options;
    return new RpcEndpoint({
      address,
      port: o.port,
      connections: o.connectionsPerEndpoint,
      connectTimeoutMs: o.connectTimeoutMs,
      keepAliveInitialDelayMs: o.keepAliveInitialDelayMs,
      maxMessageLength: o.maxMessageLength,
      breakerFailureThreshold: o.breakerFailureThreshold,
      breakerCoolDownMs: o.breakerCoolDownMs,
      onBreakerChange: (endpoint, from, to) => {
        this.metrics.breakerState(endpoint.key, to);
        const log = { service: o.name, endpoint: endpoint.key, from, to };
        if (to === 'open') o.logger?.warn(log, 'RPC circuit opened');
        else o.logger?.info(log, `RPC circuit ${to === 'closed' ? 'closed' : 'half-open'}`);
      },
      onConnectionTrouble: () => this.refreshAfterTrouble(),
      onDrained: (endpoint) => {
        if (this.draining.get(endpoint.address) === endpoint) this.draining.delete(endpoint.address);
        if (!this.endpoints.some((e) => e.key === endpoint.key)) this.metrics.forgetEndpoint(endpoint.key);
      },
    });
  }

  /**
   * An instance that answers SHUTTING_DOWN gets no more calls: it leaves the pool as if
   * DNS had dropped it (calls in flight finish), and a later resolution that still lists
   * the address connects afresh, to a replacement or to nothing.
   */
  private retire(endpoint: RpcEndpoint): void {
    if (!this.endpoints.includes(endpoint)) return;
    this.endpoints = this.endpoints.filter((e) => e !== endpoint);
    this.metrics.poolSize(this.endpoints.length);
    this.draining.set(endpoint.address, endpoint);
    this.options.logger?.info({ service: this.options.name, endpoint: endpoint.key }, 'RPC endpoint is shutting down; no more calls to it');
    endpoint.drain();
  }

  /** A failing connection may mean the pod moved; look again, but not in a tight loop. */
  private refreshAfterTrouble(): void {
    if (this.state !== 'running') return;
    const gap = Math.min(1000, this.options.resolveIntervalMs / 4);
    if (performance.now() - this.lastResolveAt >= gap) void this.refresh();
  }
}

/**
 * A comma-separated list is a static set of hosts (local runs without DNS); each entry
 * may itself resolve to several addresses, as a headless Service does.
 */
async function defaultResolver(host: string): Promise<string[]> {
  const hosts = host.split(',').map((h) => h.trim()).filter((h) => h.length > 0);
  const addresses = await Promise.all(
    hosts.map(async (h) => (isIP(h) ? [h] : (await lookup(h, { all: true })).map((r) => r.address))),
  );
  return [...new Set(addresses.flat())];
}

function serialize(data: unknown): string | undefined {
  return data === undefined ? undefined : JSON.stringify(data);
}

function callTimeout(requested: number | undefined, fallback: number): number {
  if (requested === undefined) return fallback;
  if (!Number.isFinite(requested) || requested <= 0) throw new TypeError(`timeoutMs must be a positive number (got ${requested})`);
  return requested;
}

function outcomeOf(err: unknown): AttemptOutcome {
  if (err instanceof RpcRemoteError) return 'remote_error';
  if (err instanceof RpcTimeoutError) return 'timeout';
  return 'unavailable';
}

function isClosed(err: RpcClientError): boolean {
  return err instanceof RpcUnavailableError && err.reason === 'closed';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Whether `promise` settles within `ms`; the timer never outlives the answer. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}

function isShuttingDown(err: RpcRemoteError): boolean {
  return isRpcErrorPayload(err.payload) && err.payload.code === 'SHUTTING_DOWN';
}
