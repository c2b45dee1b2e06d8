export interface BackoffOptions {
  /** First delay. @default 500 */
  readonly baseMs?: number;
  /** Ceiling of any delay. @default 30000 */
  readonly maxMs?: number;
  /** Share of each delay drawn at random, so that many watchers do not reconnect in step. @default 0.2 */
  readonly jitter?: number;
}

/** Exponential backoff with jitter; `reset()` after a success. */
export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly jitter: number;

  public constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.baseMs = options.baseMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.jitter = options.jitter ?? 0.2;
    if (this.baseMs <= 0 || this.maxMs < this.baseMs) {
      throw new Error(`backoff: need 0 < baseMs (${this.baseMs}) <= maxMs (${this.maxMs})`);
    }
    if (this.jitter < 0 || this.jitter > 1) {
      throw new Error(`backoff: jitter must be within 0..1, got ${this.jitter}`);
    }
  }

  public get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; each call doubles the next one up to `maxMs`. */
  public next(): number {
    const exp = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    const spread = exp * this.jitter;
    return Math.max(0, Math.round(exp - spread + this.random() * spread));
  }

  public reset(): void {
    this.attempt = 0;
  }
}

/** Resolves after `ms`, or early (without rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
