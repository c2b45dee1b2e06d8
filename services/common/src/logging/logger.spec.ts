import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from './logger.js';
import { acceptOrCreateRequestId, runWithContext } from './request-context.js';

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('stamps the request id of the current context on every line, across awaits', async () => {
    const { lines, stream } = capture();
    const logger = createLogger('roadmap', 'info', stream);
    await runWithContext({ requestId: 'req-1' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.info('inside');
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ service: 'roadmap', requestId: 'req-1', msg: 'inside', level: 'info' });
    expect(lines[1]).toMatchObject({ msg: 'outside' });
    expect(lines[1]).not.toHaveProperty('requestId');
  });

  it('redacts passwords and tokens', () => {
    const { lines, stream } = capture();
    createLogger('identity', 'info', stream).info({ body: { password: 'hunter22', refreshToken: 'r' } }, 'x');
    expect(JSON.stringify(lines[0])).not.toContain('hunter22');
  });
});

describe('acceptOrCreateRequestId', () => {
  it('keeps a sane id and replaces anything that could forge log lines', () => {
    expect(acceptOrCreateRequestId('abc-123')).toBe('abc-123');
    expect(acceptOrCreateRequestId('bad\nid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(acceptOrCreateRequestId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

