/**
 * A Map that never holds more than `maxEntries`: storing a key makes it the newest, and when
 * the map is full the oldest stored go first. Entries the caller calls stale are dropped from
 * the oldest end on the way, up to the first one that is not. Used by the gateway's caches
 * (verified tokens, plans, webhook signatures), which each hold one entry per client-chosen key.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer (got ${maxEntries})`);
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  set(key: K, value: V, isStale?: (value: V) => boolean): void {
    this.entries.delete(key);
    for (const [oldest, old] of this.entries) {
      if (this.entries.size < this.maxEntries && !isStale?.(old)) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, value);
  }
}
