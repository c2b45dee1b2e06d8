import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { RpcConnection } from './rpc-connection.js';
import { RpcTimeoutError } from './rpc-timeout.error.js';
import { RpcUnavailableError } from './rpc-unavailable.error.js';

export interface RpcEndpointOptions {
  readonly address: string;
  readonly port: number;
  readonly connections: number;
  readonly connectTimeoutMs: number;
  readonly keepAliveInitialDelayMs: number;
  readonly maxMessageLength: number;
  readonly breakerFailureThreshold: number;
  readonly breakerCoolDownMs: number;
  readonly onBreakerChange: (endpoint: RpcEndpoint, from: CircuitState, to: CircuitState) => void;
  /** A connection failed or dropped on its own: the address may have moved. */
  readonly onConnectionTrouble: (endpoint: RpcEndpoint, cause: Error | undefined) => void;
  /** Draining finished and every socket is closed. */
  readonly onDrained: (endpoint: RpcEndpoint) => void;
}

/** One resolved address: its sockets, its breaker and its load. */
export class RpcEndpoint {
  readonly key: string;
  readonly breaker: CircuitBreaker;
  private readonly connections: RpcConnection[] = [];
  private active = 0;
  private draining = false;
  private closed = false;

  constructor(private readonly options: RpcEndpointOptions) {
    this.key = options.address.includes(':') ? `[${options.address}]:${options.port}` : `${options.address}:${options.port}`;
    this.breaker = new CircuitBreaker({
      failureThreshold: options.breakerFailureThreshold,
      coolDownMs: options.breakerCoolDownMs,
      onStateChange: (from, to) => options.onBreakerChange(this, from, to),
    });
  }

  /** Calls and events assigned here and not yet settled (including those still connecting). */
  get address(): string {
    return this.options.address;
  }

  get pending(): number {
    return this.active;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  get openConnections(): number {
    return this.connections.filter((c) => c.isOpen).length;
  }

  /** Opens the configured number of sockets in the background. */
  warm(): void {
    while (!this.closed && !this.draining && this.connections.length < this.options.connections) {
      this.spawn()
        .connect(this.options.connectTimeoutMs, 'connect')
        .catch(() => undefined); // reported through onConnectionTrouble
    }
  }

  /** One request, bounded by `timeoutMs` from now including the connect. */
  async request(pattern: string, dataJson: string | undefined, timeoutMs: number): Promise<unknown> {
    // The common case, an open socket: no connect to wait for, so no extra timer or promise.
    const open = this.closed ? undefined : this.leastBusyOpen();
    if (open) return this.track(() => open.request(pattern, dataJson, timeoutMs));
    return this.track(async () => {
      const started = performance.now();
      const connection = await this.acquireWithin(pattern, timeoutMs);
      const remaining = timeoutMs - (performance.now() - started);
      if (remaining <= 0) throw new RpcTimeoutError(pattern, this.key, timeoutMs);
      return connection.request(pattern, dataJson, remaining);
    });
  }

  async emit(pattern: string, dataJson: string | undefined, timeoutMs: number): Promise<void> {
    return this.track(async () => {
      const connection = await this.acquireWithin(pattern, timeoutMs);
      await connection.emit(pattern, dataJson);
    });
  }

  /** Stops taking new work; sockets close once the work in flight has settled. */
  drain(): void {
    if (this.closed) return;
    this.draining = true;
    if (this.active === 0) this.closeNow();
  }

  /** Takes the endpoint back after a drain that has not finished yet (the address came back). */
  undrain(): boolean {
    if (this.closed) return false;
    this.draining = false;
    return true;
  }

  closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    this.draining = true;
    for (const connection of [...this.connections]) connection.destroy();
    this.options.onDrained(this);
  }

  private async track<T>(work: () => Promise<T>): Promise<T> {
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      if (this.draining && this.active === 0) this.closeNow();
    }
  }

  private leastBusyOpen(): RpcConnection | undefined {
    let best: RpcConnection | undefined;
    for (const connection of this.connections) {
      if (connection.isOpen && (!best || connection.inFlight < best.inFlight)) best = connection;
    }
    if (best && this.connections.length < this.options.connections) this.warm();
    return best;
  }

  /** A connect shared with earlier callers may outlast this caller's budget; never wait past it. */
  private acquireWithin(pattern: string, timeoutMs: number): Promise<RpcConnection> {
    return new Promise<RpcConnection>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new RpcUnavailableError('connect_failed', pattern, this.key, false, { cause: new Error('connect still pending') }));
      }, timeoutMs);
      this.acquire(pattern, timeoutMs).then(
        (connection) => {
          clearTimeout(timer);
          resolve(connection);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private async acquire(pattern: string, timeoutMs: number): Promise<RpcConnection> {
    if (this.closed) throw new RpcUnavailableError('closed', pattern, this.key, false);
    const best = this.leastBusyOpen();
    if (best) return best;
    const connection = this.connections.find((c) => !c.isClosed) ?? this.spawn();
    const connectTimeout = Math.min(this.options.connectTimeoutMs, timeoutMs);
    await connection.connect(connectTimeout, pattern);
    return connection;
  }

  private spawn(): RpcConnection {
    const connection = new RpcConnection({
      host: this.options.address,
      port: this.options.port,
      label: this.key,
      keepAliveInitialDelayMs: this.options.keepAliveInitialDelayMs,
      maxMessageLength: this.options.maxMessageLength,
      onClose: (closed, cause) => {
        const index = this.connections.indexOf(closed);
        if (index !== -1) this.connections.splice(index, 1);
        if (!this.closed) this.options.onConnectionTrouble(this, cause);
      },
    });
    this.connections.push(connection);
    return connection;
  }
}
