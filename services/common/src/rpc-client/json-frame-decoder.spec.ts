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
  });
});
