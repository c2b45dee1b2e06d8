import type { RequestContext } from '@northstar/common';
import type { Caller } from '@northstar/contracts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The log context of this request (request id, then the caller once authenticated). */
    requestContext?: RequestContext;
    /** Set by the AuthGuard. */
    caller?: Caller;
    sessionId?: string;
    /** The error code the response carries, for the metrics' `outcome`. */
    errorCode?: string;
    /** The body exactly as received (Nest's `rawBody: true`), for the webhook signature. */
    rawBody?: Buffer;
  }
}

export {};
