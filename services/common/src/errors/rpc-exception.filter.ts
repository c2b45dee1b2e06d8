import { Catch, HttpException, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { DomainError, isRpcErrorPayload, type RpcErrorPayload } from '@northstar/contracts';
import { throwError, type Observable } from 'rxjs';
import type { Logger } from '../logging/index.js';

/**
 * The edge of every TCP service: whatever a handler throws leaves as
 * {status, code, message}. Coded domain errors keep their code; anything unknown
 * becomes a 500 whose message says nothing about the internals (they go to the log).
 */
@Catch()
export class AllRpcExceptionsFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const payload = this.toPayload(exception, host);
    return throwError(() => payload);
  }

  private toPayload(exception: unknown, host: ArgumentsHost): RpcErrorPayload {
    if (exception instanceof DomainError) {
      if (exception.status >= 500 && exception.code !== 'SHUTTING_DOWN') this.logger.error({ err: exception, pattern: patternOf(host) }, exception.message);
      return exception.toRpc();
    }
    if (exception instanceof RpcException) {
      const inner = exception.getError();
      if (isRpcErrorPayload(inner)) return inner;
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      // Nest's own pipes throw HttpExceptions, which the TCP transport would flatten to a 500.
      return { status: exception.getStatus(), code: exception.getStatus() === 400 ? 'VALIDATION_FAILED' : 'BAD_REQUEST', message: exception.message };
    }
    this.logger.error({ err: exception, pattern: patternOf(host) }, 'Unhandled error in message handler');
    return { status: 500, code: 'INTERNAL', message: 'Internal server error' };
  }
}

function patternOf(host: ArgumentsHost): string | undefined {
  try {
    const ctx = host.switchToRpc().getContext<{ getPattern?: () => string }>();
    return typeof ctx.getPattern === 'function' ? ctx.getPattern() : undefined;
  } catch {
    return undefined;
  }
}
