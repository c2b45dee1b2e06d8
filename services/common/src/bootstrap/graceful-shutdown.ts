import type { Lifecycle } from '../health/lifecycle.js';
import type { Logger } from '../logging/index.js';

export interface ShutdownSteps {
  readonly lifecycle: Lifecycle;
  readonly logger: Logger;
  /** Readiness is 503 for this long before the process stops taking work. */
  readonly delayMs: number;
  readonly drainTimeoutMs: number;
  /** After the drain, how long new calls are still answered SHUTTING_DOWN before sockets close. */
  readonly lingerMs: number;
  /** Stop accepting new connections (existing ones keep working). */
  stopAccepting(): Promise<void> | void;
  /** Close servers and resources, in order. */
  close(): Promise<void>;
}

/**
 * SIGTERM: readiness turns 503 → wait `delayMs` (Kubernetes takes the pod out of
 * its endpoints) → stop accepting and refuse new calls → wait for in-flight work →
 * close. Runs once however many signals arrive.
 */
export class GracefulShutdown {
  private running: Promise<void> | undefined;

  constructor(private readonly steps: ShutdownSteps) {}

  run(reason: string, delayMs = this.steps.delayMs): Promise<void> {
    this.running ??= this.execute(reason, delayMs);
    return this.running;
  }

  private async execute(reason: string, delayMs: number): Promise<void> {
    const { lifecycle, logger } = this.steps;
    const started = Date.now();
    logger.info({ reason, delayMs }, 'shutdown started: readiness now reports 503');
    lifecycle.markNotReady();
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    lifecycle.startDraining();
    await this.steps.stopAccepting();
    const drained = await lifecycle.whenIdle(this.steps.drainTimeoutMs);
    if (!drained) logger.warn({ inFlight: lifecycle.active }, 'drain timed out; closing with work in flight');
    // Keep refusing a little longer: a call a client sent just before learning that this
    // instance is draining gets a SHUTTING_DOWN answer (and goes elsewhere) instead of
    // meeting a closed socket, after which the client could not know whether it ran.
    if (this.steps.lingerMs > 0) await new Promise((r) => setTimeout(r, this.steps.lingerMs));
    lifecycle.markClosed();
    await this.steps.close();
    logger.info({ ms: Date.now() - started }, 'shutdown complete');
  }

  /**
   * SIGTERM drains with the configured delay; SIGINT (Ctrl-C at a terminal) skips the
   * delay, since no load balancer is waiting on readiness there. The process exits 0.
   */
  installSignalHandlers(): void {
    let received: NodeJS.Signals | undefined;
    const handle = (signal: NodeJS.Signals) => {
      // A terminal's Ctrl-C reaches the whole process group, and `make run` forwards it too:
      // the second signal must not fall through to Node's default (immediate death).
      if (received) return;
      received = signal;
      const hardLimit = setTimeout(() => {
        this.steps.logger.error({ signal }, 'shutdown exceeded its deadline; exiting');
        process.exit(1);
      }, (signal === 'SIGINT' ? 0 : this.steps.delayMs) + this.steps.drainTimeoutMs + 5000);
      hardLimit.unref();
      this.run(signal, signal === 'SIGINT' ? 0 : this.steps.delayMs).then(
        () => process.exit(0),
        (error: unknown) => {
          this.steps.logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', handle);
    process.on('SIGINT', handle);
  }
}
