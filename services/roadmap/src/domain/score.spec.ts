import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@northstar/contracts';
import { decodeCursor, encodeCursor } from './cursor.js';
import { riceScore } from './score.js';

describe('riceScore', () => {
  it('is reach × impact × confidence% ÷ effort', () => {
    expect(riceScore({ reach: 500, impact: 2, confidence: 80, effort: 4 })).toBe(200);
    expect(riceScore({ reach: 10, impact: 0.25, confidence: 50, effort: 3 })).toBe(0.42);
  });

  it('is null until every factor is known', () => {
    expect(riceScore({ reach: 500, impact: 2, confidence: null, effort: 4 })).toBeNull();
  });
});

describe('page cursors', () => {
  it('round-trips a position', () => {
    const position = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: '6f1c1d3e-4b6a-4f8e-9a43-3c1f1b2a7d10' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it('refuses a forged or damaged cursor with a coded validation error', () => {
    for (const bad of ['', 'not-base64', Buffer.from('["yesterday","x"]').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(DomainError);
    }
  });
});
