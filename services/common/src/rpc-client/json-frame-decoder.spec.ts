import { describe, expect, it } from '@jest/globals';
import { transformPatternToRoute } from '@nestjs/microservices/utils/transform-pattern.utils.js';
import { FrameError } from './frame.error.js';
import { encodeFrame, JsonFrameDecoder } from './json-frame-decoder.js';
import { patternToRoute } from './pattern.js';

describe('NestJS TCP framing', () => {
  it('counts the length in characters and survives multi-byte characters split across chunks', () => {
    const message = { id: '1', response: { title: 'héllo ✓ 😀' } };
    const bytes = Buffer.from(encodeFrame(JSON.stringify(message)) + encodeFrame('{"id":"2","isDisposed":true}'));
    const decoder = new JsonFrameDecoder(1024);
    const out: unknown[] = [];
    for (let i = 0; i < bytes.length; i += 3) out.push(...decoder.push(bytes.subarray(i, i + 3)));
    expect(out).toEqual([message, { id: '2', isDisposed: true }]);
  });

  it('returns every frame of a chunk in order, whatever the chunk boundaries', () => {
    const messages = Array.from({ length: 50 }, (_, i) => ({ id: String(i), response: 'x'.repeat(i * 7), isDisposed: true }));
    const bytes = Buffer.from(messages.map((m) => encodeFrame(JSON.stringify(m))).join(''));
    for (const size of [1, 2, 13, 100, 4096, bytes.length]) {
      const decoder = new JsonFrameDecoder(1024);
      const out: unknown[] = [];
      for (let i = 0; i < bytes.length; i += size) out.push(...decoder.push(bytes.subarray(i, i + size)));
      expect(out).toEqual(messages);
    }
  });

  it('refuses a corrupt or oversized length prefix', () => {
    expect(() => new JsonFrameDecoder(1024).push(Buffer.from('abc#{}'))).toThrow(FrameError);
    expect(() => new JsonFrameDecoder(1024).push(Buffer.from('99999#'))).toThrow(/exceeds the limit/);
  });
});

describe('patternToRoute', () => {
  it.each([
    [{ cmd: 'findOneItem' }],
    [{ role: 'item', cmd: 'get' }],
    [{ cmd: 'a"b\\c', version: 2, nested: { z: 1, a: 'x' } }],
    ['subscription.updated'],
  ])('matches the route NestJS computes for %j', (pattern) => {
    expect(patternToRoute(pattern)).toBe(transformPatternToRoute(pattern));
    expect(patternToRoute(pattern)).toBe(transformPatternToRoute(pattern)); // the second time from the cache
  });
});
