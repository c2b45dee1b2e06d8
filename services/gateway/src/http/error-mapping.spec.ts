import { describe, expect, it } from '@jest/globals';
import { BadRequestException, ForbiddenException, HttpException, NotFoundException } from '@nestjs/common';
import { RpcRemoteError, RpcTimeoutError, RpcUnavailableError, type RpcUnavailableReason } from '@northstar/common';
import { DomainError } from '@northstar/contracts';
import { mapError, toErrorBody } from './error-mapping.js';

const pattern = '{"cmd":"findOneItem"}';
const remote = (payload: unknown) => new RpcRemoteError(payload, pattern, '10.0.0.1:3002');
const fastifyError = (statusCode: number, code: string, message: string) => Object.assign(new Error(message), { statusCode, code });

describe('mapError', () => {
  it('keeps a domain error\'s status, code and detail list', () => {
    expect(mapError(new DomainError('VALIDATION_FAILED', 'Validation failed', ['title must be a string']))).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: ['title must be a string'],
      unexpected: false,
    });
    expect(mapError(new DomainError('FORBIDDEN', 'nope'))).toMatchObject({ status: 403, code: 'FORBIDDEN', message: 'nope' });
  });

  it('passes a service\'s coded 4xx through', () => {
    expect(mapError(remote({ status: 409, code: 'VERSION_CONFLICT', message: 'stale' }))).toEqual({ status: 409, code: 'VERSION_CONFLICT', message: 'stale', unexpected: false });
    expect(mapError(remote({ status: 404, code: 'ITEM_NOT_FOUND', message: 'Item not found' }))).toMatchObject({ status: 404, code: 'ITEM_NOT_FOUND' });
  });

  it('hides the message of a service\'s 500 and of any payload that is not a coded error', () => {
    const hidden = { status: 500, code: 'INTERNAL', message: 'Internal server error', unexpected: true };
    expect(mapError(remote({ status: 500, code: 'INTERNAL', message: 'relation "items" does not exist' }))).toEqual(hidden);
    expect(mapError(remote({ status: 'error', message: 'There is no matching message handler defined in the remote service.' }))).toEqual(hidden);
    expect(mapError(remote('boom'))).toEqual(hidden);
    expect(mapError(remote({ status: 200, code: 'NOT_FOUND', message: 'odd' }))).toEqual(hidden);
    expect(mapError(new Error('secret internals'))).toEqual(hidden);
    expect(mapError(new DomainError('INTERNAL', 'db password wrong'))).toEqual(hidden);
  });

  it('maps a draining service and every unavailability to 503 SERVICE_UNAVAILABLE', () => {
    expect(mapError(remote({ status: 503, code: 'SHUTTING_DOWN', message: 'draining' }))).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    const reasons: RpcUnavailableReason[] = ['no_endpoint', 'circuit_open', 'connect_failed', 'connection_lost', 'shutting_down', 'closed'];
    for (const reason of reasons) {
      expect(mapError(new RpcUnavailableError(reason, pattern, undefined, false))).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', unexpected: false });
    }
  });

  it('maps a timeout to 504 UPSTREAM_TIMEOUT', () => {
    expect(mapError(new RpcTimeoutError(pattern, '10.0.0.1:3002', 5000))).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT', unexpected: false });
  });

  it('maps Nest exceptions by status, keeping their message', () => {
    expect(mapError(new NotFoundException('Cannot GET /nope'))).toEqual({ status: 404, code: 'NOT_FOUND', message: 'Cannot GET /nope', unexpected: false });
    expect(mapError(new BadRequestException(['a', 'b']))).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: ['a', 'b'] });
    expect(mapError(new ForbiddenException())).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(mapError(new HttpException('teapot', 418))).toEqual({ status: 418, message: 'teapot', unexpected: false });
    expect(mapError(new HttpException('db is down at 10.1.2.3', 500))).toMatchObject({ status: 500, message: 'Internal server error' });
  });

  it('maps Fastify\'s body errors: too large → 413, malformed JSON → 400', () => {
    expect(mapError(fastifyError(413, 'FST_ERR_CTP_BODY_TOO_LARGE', 'Request body is too large'))).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(mapError(fastifyError(400, 'FST_ERR_CTP_INVALID_JSON_BODY', "Body is not valid JSON but content-type is set to 'application/json'"))).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(mapError(Object.assign(new SyntaxError('Unexpected token } in JSON at position 7'), { statusCode: 400 }))).toMatchObject({ status: 400, message: 'Malformed JSON body' });
    expect(mapError(fastifyError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 'Unsupported Media Type'))).toEqual({ status: 415, message: 'Unsupported Media Type', unexpected: false });
  });
});

describe('toErrorBody', () => {
  it('is {statusCode, error, message, code?, requestId}', () => {
    expect(toErrorBody({ status: 429, code: 'RATE_LIMITED', message: 'slow down', unexpected: false }, 'r1')).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'slow down',
      code: 'RATE_LIMITED',
      requestId: 'r1',
    });
    expect(toErrorBody({ status: 415, message: 'x', unexpected: false }, 'r2')).not.toHaveProperty('code');
  });
});
