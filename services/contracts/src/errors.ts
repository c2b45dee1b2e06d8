/**
 * Stable error codes. Services throw DomainError with one of these; the RPC filter
 * carries {status, code, message} over TCP; the gateway turns status into HTTP.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  INVALID_SIGNATURE: 401,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  TOKEN_INVALID: 401,
  TOKEN_REUSED: 401,
  FORBIDDEN: 403,
  PLAN_LIMIT_REACHED: 403,
  NOT_FOUND: 404,
  ITEM_NOT_FOUND: 404,
  MEMBER_NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  EMAIL_TAKEN: 409,
  LAST_OWNER: 409,
  REPLAYED_EVENT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  /** The instance is draining and did not run the call: safe to send it to another one. */
  SHUTTING_DOWN: 503,
  UPSTREAM_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}

/** What crosses the TCP transport when a handler fails. */
export interface RpcErrorPayload {
  status: number;
  code: ErrorCode;
  message: string | string[];
}

export function isRpcErrorPayload(value: unknown): value is RpcErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['status'] === 'number' && isErrorCode(v['code']);
}

export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: string[],
  ) {
    super(message);
    this.name = 'DomainError';
    this.status = ERROR_STATUS[code];
  }

  toRpc(): RpcErrorPayload {
    return { status: this.status, code: this.code, message: this.details ?? this.message };
  }
}
