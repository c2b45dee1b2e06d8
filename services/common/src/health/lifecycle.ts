/**
 * Where the process is in its life. Readiness reads it; the RPC interceptor refuses
 * new messages once draining starts, so callers resend them elsewhere.
 */
export class Lifecycle {
  private phase: 'serving' | 'not-ready' | 'draining' | 'closed' = 'serving';
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];

  get ready(): boolean {
    return this.phase === 'serving';
  }
  get draining(): boolean {
    return this.phase === 'draining' || this.phase === 'closed';
  }
  get active(): number {
    return this.inFlight;
  }

  /** Readiness turns 503; calls are still served. */
  markNotReady(): void {
    if (this.phase === 'serving') this.phase = 'not-ready';
  }

  /** New calls are refused from now on. */
  startDraining(): void {
    if (this.phase !== 'closed') this.phase = 'draining';
  }

  markClosed(): void {
    this.phase = 'closed';
  }

  enter(): void {
    this.inFlight++;
  }

  leave(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves when nothing is in flight, or after `timeoutMs`; tells which. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }
}
