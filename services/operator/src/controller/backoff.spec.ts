import { describe, expect, it } from '@jest/globals';
import { Backoff, sleep } from './backoff.js';

describe('Backoff', () => {
  it('doubles from the base up to the ceiling, and starts over after reset', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1000, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('spreads each delay by the jitter, never above the undithered delay', () => {
    expect(new Backoff({ baseMs: 1000, maxMs: 1000, jitter: 0.5 }, () => 0).next()).toBe(500);
    expect(new Backoff({ baseMs: 1000, maxMs: 1000, jitter: 0.5 }, () => 1).next()).toBe(1000);
  });

  it('refuses settings that make no sense, naming them', () => {
    expect(() => new Backoff({ baseMs: 100, maxMs: 10 })).toThrow('baseMs (100) <= maxMs (10)');
    expect(() => new Backoff({ jitter: 2 })).toThrow('jitter must be within 0..1');
  });

  it('sleep ends early when its signal aborts', async () => {
    const abort = new AbortController();
    const t0 = Date.now();
    const s = sleep(10_000, abort.signal);
    abort.abort();
    await s;
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
