import { RpcClientError } from './rpc-client.error.js';

/**
 * The server answered with an error. `payload` is exactly what it sent: for Northstar services an
 * `RpcErrorPayload` `{status, code, message}` (check with `isRpcErrorPayload`), for Nest's own
 * failures `{status: 'error', message}` or a plain string. Never retried.
 */
export class RpcRemoteError extends RpcClientError {
  constructor(
    readonly payload: unknown,
    pattern: string,
    endpoint: string,
  ) {
    super(`RPC ${pattern} failed at ${endpoint}: ${describe(payload)}`, pattern, endpoint);
  }
}

function describe(payload: unknown): string {
  if (typeof payload === 'string') return payload;
  if (typeof payload === 'object' && payload !== null && 'message' in payload) {
    const { message } = payload;
    return Array.isArray(message) ? message.join('; ') : String(message);
  }
  return JSON.stringify(payload) ?? String(payload);
}
