import { describe, expect, it } from '@jest/globals';
import { DomainError, ERROR_STATUS, isRpcErrorPayload } from './errors.js';

describe('DomainError', () => {
  it('carries the HTTP status of its code across the transport', () => {
    const error = new DomainError('VERSION_CONFLICT', 'Item changed since version 3');
    expect(error.toRpc()).toEqual({ status: 409, code: 'VERSION_CONFLICT', message: 'Item changed since version 3' });
  });

  it('sends validation details as the message list', () => {
    const error = new DomainError('VALIDATION_FAILED', 'Invalid body', ['title must be shorter']);
    expect(error.toRpc().message).toEqual(['title must be shorter']);
  });

  it('recognises only payloads with a known code', () => {
    expect(isRpcErrorPayload({ status: 404, code: 'ITEM_NOT_FOUND', message: 'x' })).toBe(true);
    expect(isRpcErrorPayload({ status: 404, code: 'SOMETHING_ELSE', message: 'x' })).toBe(false);
    expect(isRpcErrorPayload('Internal server error')).toBe(false);
  });

  it('maps every code to a 4xx or 5xx status', () => {
    for (const status of Object.values(ERROR_STATUS)) expect(status).toBeGreaterThanOrEqual(400);
  });
});
