import { describe, expect, it, jest } from '@jest/globals';
import fs, { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { batchedStdout, createLogger } from './logger.js';
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

describe('batchedStdout', () => {
  const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

  it('writes lines that come one at a time in a few writes, each within the flush interval', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'northstar-log-'));
    const file = join(dir, 'out.log');
    const writes = jest.spyOn(fs, 'write');
    const fd = openSync(file, 'w');
    const destination = batchedStdout(fd);
    try {
      const logger = createLogger('gateway', 'info', destination);
      for (let i = 0; i < 10; i++) {
        logger.info({ i }, 'request completed');
        await sleep(5);
      }
      for (let i = 0; i < 100 && lines(file).length < 10; i++) await sleep(20);
      expect(lines(file).map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      // One write per line would be 10.
      expect(writes.mock.calls.filter(([to]) => to === fd).length).toBeLessThanOrEqual(4);
    } finally {
      writes.mockRestore();
      destination.end();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hands everything still batched to the file at once on flushSync, as pino does at exit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'northstar-log-'));
    const file = join(dir, 'out.log');
    const destination = batchedStdout(openSync(file, 'w'));
    try {
      const logger = createLogger('roadmap', 'info', destination);
      for (let i = 0; i < 3; i++) logger.info({ i }, 'shutdown step');
      destination.flushSync();
      expect(lines(file)).toHaveLength(3);
    } finally {
      destination.end();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('acceptOrCreateRequestId', () => {
  it('keeps a sane id and replaces anything that could forge log lines', () => {
    expect(acceptOrCreateRequestId('abc-123')).toBe('abc-123');
    expect(acceptOrCreateRequestId('bad\nid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(acceptOrCreateRequestId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

