export { RpcClientPool, type RpcEndpointSnapshot } from './rpc-client-pool.js';
export {
  RPC_CLIENT_POOL_DEFAULTS,
  type EmitOptions,
  type HostResolver,
  type RpcClientLogger,
  type RpcClientPoolOptions,
  type SendOptions,
} from './rpc-client-pool.options.js';
export { RpcClientError } from './rpc-client.error.js';
export { RpcUnavailableError, type RpcUnavailableReason } from './rpc-unavailable.error.js';
export { RpcTimeoutError } from './rpc-timeout.error.js';
export { RpcRemoteError } from './rpc-remote.error.js';
export { patternToRoute, type RpcPattern } from './pattern.js';
export type { CircuitState } from './circuit-breaker.js';
