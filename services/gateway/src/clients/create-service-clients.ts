import { RpcClientPool, type Logger, type Metrics } from '@northstar/common';
import { IDENTITY, ROADMAP } from '@northstar/contracts';
import type { GatewayConfig } from '../config.js';
import type { ServiceClients } from './clients.module.js';

/**
 * One pool per downstream. Each call is bounded by RPC_TIMEOUT_MS, and the pool retries
 * only the patterns contracts mark idempotent.
 */
export function createServiceClients(config: GatewayConfig, metrics: Metrics, logger: Logger): ServiceClients {
  const common = { timeoutMs: config.rpcTimeoutMs, registry: metrics.registry, logger };
  return {
    roadmap: new RpcClientPool({ ...common, name: ROADMAP.name, host: config.roadmapHost, port: config.roadmapPort }),
    identity: new RpcClientPool({ ...common, name: IDENTITY.name, host: config.identityHost, port: config.identityPort }),
  };
}
