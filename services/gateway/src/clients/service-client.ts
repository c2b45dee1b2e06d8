import type { MessagePattern } from '@northstar/contracts';

/**
 * What the gateway needs from a connection to one TCP service. The RpcClientPool of
 * common implements it; tests may pass anything that does.
 */
export interface ServiceClient {
  send<T>(pattern: MessagePattern, data: unknown): Promise<T>;
  emit(pattern: object, data: unknown): Promise<void>;
  close(): Promise<void>;
}
