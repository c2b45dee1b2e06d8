import { describe, expect, it } from '@jest/globals';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows `limit` hits per window and key, then refuses until the window ends', () => {
    let now = 0;
    const limiter = new RateLimiter({ limit: 2, windowMs: 60_000, now: () => now });
    expect(limiter.hit('a')).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 60 });
    expect(limiter.hit('a').allowed).toBe(true);
    expect(limiter.hit('a')).toEqual({ allowed: false, limit: 2, remaining: 0, resetSeconds: 60 });
    expect(limiter.hit('b').allowed).toBe(true);
    now = 59_500;
    expect(limiter.hit('a')).toMatchObject({ allowed: false, resetSeconds: 1 });
    now = 60_000;
    expect(limiter.hit('a')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('keeps at most maxKeys windows, sweeping expired ones first', () => {
    let now = 0;
    const limiter = new RateLimiter({ limit: 1, windowMs: 1000, maxKeys: 2, now: () => now });
    limiter.hit('a');
    limiter.hit('b');
    now = 1000;
    limiter.hit('c');
    expect(limiter.size).toBe(1);
    limiter.hit('d');
    limiter.hit('e');
    expect(limiter.size).toBe(2);
    // 'c' was the oldest and was dropped: it starts a fresh window.
    expect(limiter.hit('c').allowed).toBe(true);
  });
});
