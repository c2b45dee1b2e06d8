import type { Role } from './identity/roles.js';

/** Who is calling, as the gateway established it from a verified access token. */
export interface Caller {
  userId: string;
  organizationId: string;
  role: Role;
}

/**
 * Every TCP message is an envelope: the caller's context next to the DTO.
 * Handlers read `data` through the ValidationPipe and `meta` through decorators;
 * `meta.requestId` becomes the correlation id of every log line the call causes.
 */
export interface RpcEnvelope<T> {
  meta: {
    requestId: string;
    caller?: Caller;
  };
  data: T;
}

export function envelope<T>(requestId: string, data: T, caller?: Caller): RpcEnvelope<T> {
  return caller ? { meta: { requestId, caller }, data } : { meta: { requestId }, data };
}

export const REQUEST_ID_HEADER = 'x-request-id';
