import { acceptOrCreateRequestId, currentContext } from '@northstar/common';
import { envelope, type Caller, type MessagePattern } from '@northstar/contracts';
import type { ServiceClient } from './service-client.js';

/**
 * A downstream service as controllers see it: every message leaves in the envelope,
 * with the request id of the HTTP request being served and the authenticated caller.
 */
export abstract class Downstream {
  constructor(private readonly client: ServiceClient) {}

  send<T>(pattern: MessagePattern, data: unknown, caller?: Caller): Promise<T> {
    return this.client.send<T>(pattern, envelope(requestId(), data, caller));
  }

  emit(pattern: object, data: unknown, caller?: Caller): Promise<void> {
    return this.client.emit(pattern, envelope(requestId(), data, caller));
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export class RoadmapClient extends Downstream {}
export class IdentityClient extends Downstream {}

function requestId(): string {
  return acceptOrCreateRequestId(currentContext()?.requestId);
}
