import { BoundedMap } from '../http/bounded-map.js';

/**
 * Signatures seen within the tolerance window. An entry is useless once its timestamp is
 * outside the window (the signature is refused as stale anyway), so entries expire then;
 * the size bound keeps a burst from growing memory without limit (the oldest go first).
 */
export class ReplayCache {
  private readonly seen: BoundedMap<string, number>;

  constructor(
    maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    this.seen = new BoundedMap(maxEntries);
  }

  /** Records the key until `expiresAt` (ms); false when it is already recorded and not expired. */
  claim(key: string, expiresAt: number): boolean {
    const now = this.now();
    const existing = this.seen.get(key);
    if (existing !== undefined && existing > now) return false;
    this.seen.set(key, expiresAt, (until) => until <= now);
    return true;
  }

  /** Forgets a claim whose event could not be delivered, so the sender's retry is not refused. */
  release(key: string): void {
    this.seen.delete(key);
  }

  get size(): number {
    return this.seen.size;
  }
}
