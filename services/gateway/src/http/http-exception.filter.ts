import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { runWithContext, type Logger } from '@northstar/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mapError, toErrorBody } from './error-mapping.js';

/**
 * The edge of the public API: Nest exceptions, Fastify's own errors (body too large,
 * malformed JSON), validation, throttling and downstream RPC failures all leave as
 * `{statusCode, error, message, code?, requestId}`.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = mapError(exception);
    const requestId = request.id;

    if (mapped.unexpected || mapped.status >= 500) {
      runWithContext(request.requestContext ?? { requestId }, () => {
        if (mapped.unexpected) this.logger.error({ err: exception }, 'request failed');
        // Expected while a service is down or slow: the cause in one line, no stack.
        else this.logger.warn({ code: mapped.code, cause: exception instanceof Error ? exception.message : String(exception) }, 'downstream failure');
      });
    }
    if (mapped.code) request.errorCode = mapped.code;
    if (mapped.status === 401) void reply.header('www-authenticate', 'Bearer');
    if (reply.sent) return;
    void reply.status(mapped.status).send(toErrorBody(mapped, requestId));
  }
}
