import { RpcClientPool, type Logger, type Metrics, type RpcClientLogger } from '@northstar/common';
import { IDENTITY, ROADMAP } from '@northstar/contracts';
import type { GatewayConfig } from '../config.js';
import type { ServiceClients } from './clients.module.js';

/**
 * One pool per downstream. Each call is bounded by RPC_TIMEOUT_MS, and the pool retries
 * only the patterns contracts mark idempotent.
 */
export function createServiceClients(config: GatewayConfig, metrics: Metrics, logger: Logger): ServiceClients {
  const common = { timeoutMs: config.rpcTimeoutMs, registry: metrics.registry, logger: poolLogger(logger) };
  return {
    roadmap: new RpcClientPool({ ...common, name: ROADMAP.name, host: config.roadmapHost, port: config.roadmapPort }),
    identity: new RpcClientPool({ ...common, name: IDENTITY.name, host: config.identityHost, port: config.identityPort }),
  };
}

/**
 * The pool names the downstream in a `service` field, which would repeat the logger's own
 * `service` key in the same JSON line (most log pipelines keep the last one): renamed `downstream`.
 */
function poolLogger(logger: Logger): RpcClientLogger {
  const rename = (obj: object): object => {
    const { service, ...rest } = obj as { service?: unknown };
    return service === undefined ? rest : { downstream: service, ...rest };
  };
  return {
    info: (obj, msg) => logger.info(rename(obj), msg),
    warn: (obj, msg) => logger.warn(rename(obj), msg),
  };
}
