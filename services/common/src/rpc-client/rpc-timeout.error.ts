import { RpcClientError } from './rpc-client.error.js';

/** No answer within the call's timeout. The gateway answers 504. The server may still have acted. */
export class RpcTimeoutError extends RpcClientError {
  constructor(
    pattern: string,
    endpoint: string | undefined,
    readonly timeoutMs: number,
  ) {
    super(`RPC ${pattern} timed out after ${timeoutMs} ms${endpoint ? ` at ${endpoint}` : ''}`, pattern, endpoint);
  }
}
