import { describe, expect, it } from '@jest/globals';
import { BoundedMap } from './bounded-map.js';

describe('BoundedMap', () => {
  it('drops the oldest stored entry when full, and storing a key again makes it the newest', () => {
    const map = new BoundedMap<string, number>(3);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    map.set('a', 10); // a is now the newest
    map.set('d', 4); // b, the oldest, goes
    expect(map.size).toBe(3);
    expect(map.get('b')).toBeUndefined();
    expect([map.get('a'), map.get('c'), map.get('d')]).toEqual([10, 3, 4]);
  });

  it('drops stale entries from the oldest end, stopping at the first fresh one', () => {
    const map = new BoundedMap<string, number>(100);
    for (const [k, v] of [['old1', 1], ['old2', 2], ['fresh', 50], ['old3', 3]] as const) map.set(k, v);
    map.set('new', 99, (v) => v < 10);
    expect(map.get('old1')).toBeUndefined();
    expect(map.get('old2')).toBeUndefined();
    // Behind a fresh entry, a stale one waits for its turn (or for the size bound).
    expect(map.get('old3')).toBe(3);
    expect(map.size).toBe(3);
  });

  it('stays within its bound under many distinct keys', () => {
    const map = new BoundedMap<number, number>(1000);
    for (let i = 0; i < 50_000; i++) map.set(i, i);
    expect(map.size).toBe(1000);
    expect(map.get(48_999)).toBeUndefined();
    expect(map.get(49_000)).toBe(49_000);
    expect(map.get(49_999)).toBe(49_999);
  });

  it('refuses a bound that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new BoundedMap(bad)).toThrow(RangeError);
  });
});
