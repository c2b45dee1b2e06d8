/** Base of every error the RPC client pool throws, so callers can tell them from their own. */
export abstract class RpcClientError extends Error {
  constructor(
    message: string,
    /** The normalized pattern of the call, e.g. `{"cmd":"findOneItem"}`. */
    readonly pattern: string,
    /** `address:port` of the endpoint that failed, when one was involved. */
    readonly endpoint: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
