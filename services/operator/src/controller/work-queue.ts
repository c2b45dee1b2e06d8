import { Backoff, type BackoffOptions } from './backoff.js';

export type Handler = (key: string) => Promise<void>;

/**
 * A keyed work queue in the client-go manner: a key waits at most once however often
 * it is added, one key is never handled by two workers at once, and a key added while
 * it is being handled runs again afterwards. Failures retry with per-key backoff.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, Backoff>();
  private readonly waiters: (() => void)[] = [];
  private stopped = false;
  private workers: Promise<void>[] = [];

  public constructor(
    private readonly handler: Handler,
    private readonly options: { readonly workers?: number; readonly retry?: BackoffOptions; readonly onError?: (key: string, err: unknown) => void } = {},
  ) {}

  public get depth(): number {
    return this.queue.length;
  }

  public add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.waiters.shift()?.();
  }

  /** Adds the key after `ms`; an earlier pending delay for the same key wins. */
  public addAfter(key: string, ms: number): void {
    if (this.stopped || this.delayed.has(key)) return;
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, timer);
  }

  public start(): void {
    const n = this.options.workers ?? 1;
    this.workers = Array.from({ length: n }, () => this.work());
  }

  /** Stops taking keys and waits for the keys in hand to finish. */
  public async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.delayed.values()) clearTimeout(t);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      const key = this.queue.shift();
      if (key === undefined) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      this.queued.delete(key);
      this.processing.add(key);
      try {
        await this.handler(key);
        this.failures.delete(key);
      } catch (err) {
        this.options.onError?.(key, err);
        let backoff = this.failures.get(key);
        if (!backoff) {
          backoff = new Backoff(this.options.retry ?? { baseMs: 1000, maxMs: 60_000 });
          this.failures.set(key, backoff);
        }
        this.addAfter(key, backoff.next());
      } finally {
        this.processing.delete(key);
        if (this.dirty.delete(key)) this.add(key);
      }
    }
  }
}
