/** What every scenario yields, HTTP or TCP, measured the same way. */
export interface LoadResult {
  /** Successful (2xx / resolved) responses per second over the measured window. */
  readonly rps: number;
  /** Latency of successful calls, in ms, from the moment the request was sent. */
  readonly p50: number;
  readonly p99: number;
  readonly ok: number;
  /** Failed calls: non-2xx, connection errors, timeouts, rejected promises. */
  readonly failed: number;
  readonly seconds: number;
  /** The first few distinct failure descriptions, to say why. */
  readonly failures: string[];
}

/** Collects latencies without per-sample allocation; grows by doubling. */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private count = 0;
  ok = 0;
  failed = 0;
  private readonly failureKinds = new Set<string>();

  record(ms: number): void {
    if (this.count === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.count++] = ms;
    this.ok++;
  }

  fail(kind: string): void {
    this.failed++;
    if (this.failureKinds.size < 5) this.failureKinds.add(kind.slice(0, 160));
  }

  result(seconds: number): LoadResult {
    const sorted = this.samples.subarray(0, this.count).sort();
    return {
      rps: seconds > 0 ? this.ok / seconds : 0,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      ok: this.ok,
      failed: this.failed,
      seconds,
      failures: [...this.failureKinds],
    };
  }
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null) return JSON.stringify(error);
  return String(error);
}
