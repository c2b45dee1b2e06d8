import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { DomainError, type RpcEnvelope } from '@northstar/contracts';
import { Observable, throwError } from 'rxjs';
import { Lifecycle } from '../health/lifecycle.js';
import { acceptOrCreateRequestId, runWithContext, type Logger } from '../logging/index.js';
import { Metrics } from '../metrics/index.js';

/**
 * Wraps every TCP handler: runs it inside the caller's request context (so its log
 * lines carry the gateway's request id), counts it in flight for the drain, and
 * records its duration and outcome.
 */
@Injectable()
export class RpcServerInterceptor implements NestInterceptor {
  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rpc = ctx.switchToRpc();
    const pattern = patternOf(rpc.getContext());
    const payload = rpc.getData<Partial<RpcEnvelope<unknown>> | undefined>();
    const meta = typeof payload === 'object' && payload !== null ? payload.meta : undefined;
    const caller = meta?.caller;
    const context = {
      requestId: acceptOrCreateRequestId(meta?.requestId),
      ...(caller ? { userId: caller.userId, organizationId: caller.organizationId } : {}),
    };

    if (this.lifecycle.draining) {
      return throwError(() => new DomainError('SHUTTING_DOWN', 'Instance is shutting down; send the call elsewhere'));
    }

    return new Observable((subscriber) =>
      runWithContext(context, () => {
        const started = process.hrtime.bigint();
        this.lifecycle.enter();
        this.metrics.rpcServerInFlight.inc();
        let finished = false;
        const finish = (outcome: string) => {
          if (finished) return;
          finished = true;
          // Nest writes the reply on a later tick; count the call done only once it is on the socket.
          setImmediate(() => this.lifecycle.leave());
          this.metrics.rpcServerInFlight.dec();
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          this.metrics.rpcServerDuration.observe({ pattern, outcome }, seconds);
          // The gateway's access log already records every request; a line per message here
          // would double the logging cost on the hot path, so successes are debug-level.
          const line = { pattern, outcome, ms: Math.round(seconds * 10_000) / 10 };
          if (outcome === 'ok') this.logger.debug(line, 'message handled');
          else this.logger.info(line, 'message handled');
        };
        const inner = next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            finish(error instanceof DomainError ? error.code : 'INTERNAL');
            subscriber.error(error);
          },
          complete: () => {
            finish('ok');
            subscriber.complete();
          },
        });
        return () => {
          inner.unsubscribe();
          finish('cancelled');
        };
      }),
    );
  }
}

function patternOf(context: unknown): string {
  const getPattern = (context as { getPattern?: () => string } | undefined)?.getPattern;
  return typeof getPattern === 'function' ? getPattern.call(context) : 'unknown';
}
