export interface RateLimitVerdict {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window of this key starts over. */
  readonly resetSeconds: number;
}

export interface RateLimiterOptions {
  readonly limit: number;
  readonly windowMs: number;
  /**
   * Keys tracked at most; beyond it, expired windows are swept and then the oldest dropped.
   * @default 100_000
   */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

/**
 * Fixed-window counters per key, in this process's memory. Each gateway replica counts on
 * its own, so the effective cluster-wide limit is the limit times the replica count.
 * Not @nestjs/throttler: that package is CommonJS and require()s the ESM-only Nest 12,
 * which jest's ESM mode cannot load on Node 20, so no test could reach the gateway.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  hit(key: string): RateLimitVerdict {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      this.windows.delete(key);
      if (this.windows.size >= this.maxKeys) this.sweep(now);
      window = { count: 0, resetAt: now + this.options.windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    const { limit } = this.options;
    return {
      allowed: window.count <= limit,
      limit,
      remaining: Math.max(0, limit - window.count),
      resetSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)),
    };
  }

  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
    // Insertion order is window-start order: the first entries are the oldest windows.
    for (const key of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(key);
    }
  }
}
