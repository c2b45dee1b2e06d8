import { describe, expect, it } from '@jest/globals';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';

function breaker(threshold = 3, coolDownMs = 1000) {
  let now = 0;
  const transitions: string[] = [];
  const b = new CircuitBreaker({
    failureThreshold: threshold,
    coolDownMs,
    now: () => now,
    onStateChange: (from: CircuitState, to: CircuitState) => transitions.push(`${from}->${to}`),
  });
  return { b, transitions, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, and a success resets the count', () => {
    const { b } = breaker(3);
    const p = b.acquire()!;
    b.recordFailure(p);
    b.recordFailure(p);
    b.recordSuccess(p);
    b.recordFailure(p);
    b.recordFailure(p);
    expect(b.state).toBe('closed');
    b.recordFailure(p);
    expect(b.state).toBe('open');
    expect(b.canPass()).toBe(false);
    expect(b.acquire()).toBeUndefined();
  });

  it('lets exactly one probe through after the cool-down and closes when it succeeds', () => {
    const { b, transitions, advance } = breaker(1, 1000);
    b.recordFailure(b.acquire()!);
    advance(999);
    expect(b.acquire()).toBeUndefined();
    advance(1);
    const probe = b.acquire()!;
    expect(probe.probe).toBe(true);
    expect(b.state).toBe('half_open');
    expect(b.acquire()).toBeUndefined();
    b.recordSuccess(probe);
    expect(b.state).toBe('closed');
    expect(transitions).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('re-opens for a full cool-down when the probe fails', () => {
    const { b, advance } = breaker(1, 1000);
    b.recordFailure(b.acquire()!);
    advance(1000);
    b.recordFailure(b.acquire()!);
    expect(b.state).toBe('open');
    advance(500);
    expect(b.canPass()).toBe(false);
  });

  it('ignores late answers of requests let through before it opened', () => {
    const { b, advance } = breaker(1, 1000);
    const early = b.acquire()!;
    b.recordFailure(b.acquire()!);
    b.recordSuccess(early);
    expect(b.state).toBe('open');
    advance(1000);
    const probe = b.acquire()!;
    b.recordFailure(early);
    expect(b.state).toBe('half_open');
    b.release(probe);
    expect(b.acquire()?.probe).toBe(true);
  });
});
