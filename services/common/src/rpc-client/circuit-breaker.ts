export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive transport failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one probe may pass. */
  readonly coolDownMs: number;
  readonly now?: () => number;
  readonly onStateChange?: (from: CircuitState, to: CircuitState) => void;
}

/** Proof that a request was let through; hand it back with the outcome. */
export interface CircuitPermit {
  readonly probe: boolean;
}

const REGULAR: CircuitPermit = Object.freeze({ probe: false });

/**
 * Per-endpoint breaker. Only transport failures (connect errors, lost connections, timeouts)
 * count; an application error is a healthy answer. Time is read lazily, so it owns no timers.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get state(): CircuitState {
    return this.current;
  }

  /** Whether `acquire` would let a request through now. */
  canPass(): boolean {
    switch (this.current) {
      case 'closed':
        return true;
      case 'open':
        return this.now() - this.openedAt >= this.options.coolDownMs;
      case 'half_open':
        return !this.probeInFlight;
    }
  }

  /** Lets one request through, or returns undefined when the circuit refuses it. */
  acquire(): CircuitPermit | undefined {
    if (!this.canPass()) return undefined;
    if (this.current === 'closed') return REGULAR;
    if (this.current === 'open') this.transition('half_open');
    this.probeInFlight = true;
    return { probe: true };
  }

  recordSuccess(permit: CircuitPermit): void {
    if (this.current === 'closed') {
      this.failures = 0;
    } else if (permit.probe && this.current === 'half_open') {
      this.probeInFlight = false;
      this.failures = 0;
      this.transition('closed');
    }
    // Answers to requests let through before the circuit opened prove nothing about now.
  }

  recordFailure(permit: CircuitPermit): void {
    if (this.current === 'closed') {
      this.failures += 1;
      if (this.failures >= this.options.failureThreshold) this.open();
    } else if (permit.probe && this.current === 'half_open') {
      this.probeInFlight = false;
      this.open();
    }
  }

  /** The permit was not used for a real attempt (the pool closed first); free the probe slot. */
  release(permit: CircuitPermit): void {
    if (permit.probe && this.current === 'half_open') this.probeInFlight = false;
  }

  private open(): void {
    this.openedAt = this.now();
    this.transition('open');
  }

  private transition(to: CircuitState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.options.onStateChange?.(from, to);
  }
}
