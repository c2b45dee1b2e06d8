import type { Caller, Plan } from '@northstar/contracts';
import { BoundedMap } from '../http/bounded-map.js';

export interface PlanCacheOptions {
  /** Reads the caller's organization's plan from identity (the source of truth). */
  readonly load: (caller: Caller) => Promise<Plan>;
  /** How long a plan read from identity is used without asking again; 0 asks at every call. */
  readonly ttlMs: number;
  /** Organizations remembered at most (the least recently stored go first). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

type Entry =
  | { kind: 'known'; plan: Plan; expiresAt: number }
  | { kind: 'loading'; promise: Promise<Plan> }
  | { kind: 'changing'; to: Plan; until: number };

/**
 * The plan of each organization, as this gateway replica last learned it. Every POST /items
 * needs it (the allowance goes to roadmap with the create), and asking identity each time
 * halved the rate of writes. Every plan here is one identity answered: read at most once per
 * TTL per organization (concurrent misses share one call) or by GET /organization. After a
 * billing event this replica forwarded, identity is asked at every call until it answers the
 * event's plan (it applies the event a moment after the webhook's 200), so the change applies
 * to the next item identity knows of it. An event another replica forwarded applies here
 * within the TTL: the staleness bound the README states.
 */
export class PlanCache {
  private readonly entries: BoundedMap<string, Entry>;
  private readonly now: () => number;

  constructor(private readonly options: PlanCacheOptions) {
    this.entries = new BoundedMap(options.maxEntries ?? 10_000);
    this.now = options.now ?? Date.now;
  }

  planOf(caller: Caller): Promise<Plan> {
    const { organizationId } = caller;
    const entry = this.entries.get(organizationId);
    if (entry?.kind === 'loading') return entry.promise;
    if (entry?.kind === 'known' && entry.expiresAt > this.now()) return Promise.resolve(entry.plan);
    if (this.options.ttlMs === 0) return this.options.load(caller);
    if (entry?.kind === 'changing' && entry.until > this.now()) return this.untilChanged(caller, entry);

    const promise = this.options.load(caller);
    const loading: Entry = { kind: 'loading', promise };
    this.store(organizationId, loading);
    promise.then(
      (plan) => {
        // A GET /organization or a billing event that landed meanwhile is newer than this read.
        if (this.entries.get(organizationId) === loading) this.store(organizationId, this.known(plan));
      },
      () => {
        if (this.entries.get(organizationId) === loading) this.entries.delete(organizationId);
      },
    );
    return promise;
  }

  /** A plan identity gave outside planOf (its answer to GET /organization). */
  remember(organizationId: string, plan: Plan): void {
    if (this.options.ttlMs === 0) return;
    const entry = this.entries.get(organizationId);
    // Read before identity applied the billing event this replica forwarded: not worth keeping.
    if (entry?.kind === 'changing' && entry.until > this.now() && entry.to !== plan) return;
    this.store(organizationId, this.known(plan));
  }

  /**
   * A billing event setting the organization's plan went to identity. What is known is dropped
   * (a read under way is not stored when it lands), and identity is asked at every call until
   * it answers `to`, or for one TTL if it never does (a stale event identity did not apply).
   */
  changing(organizationId: string, to: Plan): void {
    if (this.options.ttlMs === 0) return;
    this.store(organizationId, { kind: 'changing', to, until: this.now() + this.options.ttlMs });
  }

  private async untilChanged(caller: Caller, entry: Entry & { kind: 'changing' }): Promise<Plan> {
    const plan = await this.options.load(caller);
    if (plan === entry.to && this.entries.get(caller.organizationId) === entry) this.store(caller.organizationId, this.known(plan));
    return plan;
  }

  get size(): number {
    return this.entries.size;
  }

  private known(plan: Plan): Entry {
    return { kind: 'known', plan, expiresAt: this.now() + this.options.ttlMs };
  }

  private store(organizationId: string, entry: Entry): void {
    this.entries.set(organizationId, entry);
  }
}
