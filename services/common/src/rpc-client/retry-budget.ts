export interface RetryBudgetOptions {
  /** Tokens each original request deposits; one retry spends one token. */
  readonly ratio: number;
  /** Tokens added per second regardless of traffic, so a quiet client can still retry. */
  readonly minPerSecond: number;
  /** Upper bound of the balance: the largest burst of retries after a quiet period. */
  readonly maxTokens: number;
  readonly now?: () => number;
}

/**
 * Token bucket that keeps retries to about `ratio` of requests (plus `minPerSecond`), so a
 * failing dependency never sees more than that much extra load from retries.
 */
export class RetryBudget {
  private tokens: number;
  private refilledAt: number;
  private readonly now: () => number;

  constructor(private readonly options: RetryBudgetOptions) {
    this.now = options.now ?? (() => performance.now());
    this.refilledAt = this.now();
    this.tokens = Math.min(options.maxTokens, options.minPerSecond);
  }

  /** Called once per original request (never for a retry). */
  deposit(): void {
    this.refill();
    this.tokens = Math.min(this.options.maxTokens, this.tokens + this.options.ratio);
  }

  /** Spends one token if there is one. */
  tryWithdraw(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  get balance(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.now();
    const elapsedSeconds = (now - this.refilledAt) / 1000;
    this.refilledAt = now;
    if (elapsedSeconds > 0) {
      this.tokens = Math.min(this.options.maxTokens, this.tokens + elapsedSeconds * this.options.minPerSecond);
    }
  }
}
