import { HttpException } from '@nestjs/common';
import { RpcRemoteError, RpcTimeoutError, RpcUnavailableError, type RpcUnavailableReason } from '@northstar/common';
import { DomainError, isRpcErrorPayload, type ErrorCode } from '@northstar/contracts';
import { STATUS_CODES } from 'node:http';
import { assertUnreachable } from './assert-unreachable.js';

/** The one error shape of the public API. */
export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  code?: ErrorCode;
  requestId: string;
}

export interface MappedError {
  readonly status: number;
  readonly code?: ErrorCode;
  readonly message: string | string[];
  /** Not the client's fault and not an expected downstream state: log it with its stack. */
  readonly unexpected: boolean;
}

/** Errors Fastify raises before a handler runs (body parsing, limits) carry a 4xx `statusCode`. */
interface FastifyClientError {
  readonly statusCode: number;
  readonly code?: string;
  readonly message: string;
}

type Classified =
  | { kind: 'domain'; error: DomainError }
  | { kind: 'remote'; error: RpcRemoteError }
  | { kind: 'unavailable'; error: RpcUnavailableError }
  | { kind: 'timeout'; error: RpcTimeoutError }
  | { kind: 'http'; error: HttpException }
  | { kind: 'fastify'; error: FastifyClientError }
  | { kind: 'unknown'; error: unknown };

const INTERNAL: MappedError = { status: 500, code: 'INTERNAL', message: 'Internal server error', unexpected: true };

const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
  504: 'UPSTREAM_TIMEOUT',
};

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

export function toErrorBody(mapped: MappedError, requestId: string): HttpErrorBody {
  const body: HttpErrorBody = { statusCode: mapped.status, error: reasonPhrase(mapped.status), message: mapped.message, requestId };
  if (mapped.code) body.code = mapped.code;
  return body;
}

/** Turns anything a request can throw into the public error; 5xx messages never carry internals. */
export function mapError(exception: unknown): MappedError {
  const c = classify(exception);
  switch (c.kind) {
    case 'domain':
      if (c.error.status >= 500) return fromCode(c.error.code, c.error.status);
      return { status: c.error.status, code: c.error.code, message: c.error.details ?? c.error.message, unexpected: false };
    case 'remote':
      return fromRemote(c.error.payload);
    case 'unavailable':
      return { status: 503, code: 'SERVICE_UNAVAILABLE', message: unavailableMessage(c.error.reason), unexpected: false };
    case 'timeout':
      return { status: 504, code: 'UPSTREAM_TIMEOUT', message: 'A downstream service did not answer in time', unexpected: false };
    case 'http':
      return fromHttpException(c.error);
    case 'fastify':
      return fromFastify(c.error);
    case 'unknown':
      return INTERNAL;
    default:
      return assertUnreachable(c);
  }
}

function classify(exception: unknown): Classified {
  if (exception instanceof DomainError) return { kind: 'domain', error: exception };
  if (exception instanceof RpcRemoteError) return { kind: 'remote', error: exception };
  if (exception instanceof RpcUnavailableError) return { kind: 'unavailable', error: exception };
  if (exception instanceof RpcTimeoutError) return { kind: 'timeout', error: exception };
  if (exception instanceof HttpException) return { kind: 'http', error: exception };
  if (isFastifyClientError(exception)) return { kind: 'fastify', error: exception };
  return { kind: 'unknown', error: exception };
}

function isFastifyClientError(e: unknown): e is FastifyClientError {
  if (!(e instanceof Error)) return false;
  const status = (e as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function fromCode(code: ErrorCode, status: number): MappedError {
  if (code === 'SERVICE_UNAVAILABLE' || code === 'SHUTTING_DOWN') {
    return { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'A downstream service is unavailable; retry later', unexpected: false };
  }
  if (code === 'UPSTREAM_TIMEOUT') {
    return { status: 504, code: 'UPSTREAM_TIMEOUT', message: 'A downstream service did not answer in time', unexpected: false };
  }
  return status === 503 || status === 504 ? { ...INTERNAL, status, code, unexpected: false } : INTERNAL;
}

function fromRemote(payload: unknown): MappedError {
  if (!isRpcErrorPayload(payload)) return INTERNAL;
  const { status, code, message } = payload;
  if (!Number.isInteger(status) || status < 400 || status > 599) return INTERNAL;
  if (status >= 500) return fromCode(code, status);
  return { status, code, message, unexpected: false };
}

function unavailableMessage(reason: RpcUnavailableReason): string {
  switch (reason) {
    case 'no_endpoint':
    case 'connect_failed':
    case 'shutting_down':
    case 'connection_lost':
      return 'A downstream service is unreachable; retry later';
    case 'circuit_open':
      return 'A downstream service is failing; retry later';
    case 'closed':
      return 'The gateway is shutting down; retry';
    default:
      return assertUnreachable(reason);
  }
}

function fromHttpException(error: HttpException): MappedError {
  const status = error.getStatus();
  if (status >= 500) return fromCode(CODE_BY_STATUS[status] ?? 'INTERNAL', status);
  const response = error.getResponse();
  let message: string | string[] = error.message;
  if (typeof response === 'object' && response !== null) {
    const m = (response as { message?: unknown }).message;
    if (typeof m === 'string') message = m;
    else if (Array.isArray(m) && m.every((x): x is string => typeof x === 'string')) message = m;
  }
  const code = CODE_BY_STATUS[status];
  return code ? { status, code, message, unexpected: false } : { status, message, unexpected: false };
}

function fromFastify(error: FastifyClientError): MappedError {
  const status = error.statusCode;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large', unexpected: false };
  }
  // The JSON parser's SyntaxError names positions in the body; the client needs only the verdict.
  const message = error instanceof SyntaxError ? 'Malformed JSON body' : error.message;
  const code = CODE_BY_STATUS[status];
  return code ? { status, code, message, unexpected: false } : { status, message, unexpected: false };
}
