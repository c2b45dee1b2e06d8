import { RpcClientError } from './rpc-client.error.js';

export type RpcUnavailableReason =
  /** The host resolved to no address (or was never resolved). */
  | 'no_endpoint'
  /** Every endpoint's circuit is open, or its half-open probe is already in flight. */
  | 'circuit_open'
  /** Connecting failed or took longer than the connect timeout. */
  | 'connect_failed'
  /** The connection closed while the request was in flight. */
  | 'connection_lost'
  /** The instance is draining for shutdown and refused the call without running it. */
  | 'shutting_down'
  /** The pool is closing or closed. */
  | 'closed';

/** No endpoint could take the call. The gateway answers 503. */
export class RpcUnavailableError extends RpcClientError {
  constructor(
    readonly reason: RpcUnavailableReason,
    pattern: string,
    endpoint: string | undefined,
    /** False when no server ever saw the request, so repeating it cannot duplicate a side effect. */
    readonly requestSent: boolean,
    options?: ErrorOptions,
  ) {
    super(`RPC ${pattern} unavailable (${reason})${endpoint ? ` at ${endpoint}` : ''}`, pattern, endpoint, options);
  }
}
