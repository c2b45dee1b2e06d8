import { describe, expect, it } from '@jest/globals';
import type { Caller, Plan } from '@northstar/contracts';
import { PlanCache } from './plan-cache.js';

/** identity as the cache sees it: a plan per organization, calls counted, answers released by hand. */
function identity(initial: Record<string, Plan>) {
  const plans = { ...initial };
  const calls: string[] = [];
  const waiting: Array<() => void> = [];
  let held = false;
  return {
    plans,
    calls,
    hold: () => (held = true),
    release: () => {
      held = false;
      waiting.splice(0).forEach((go) => go());
    },
    load: async ({ organizationId: org }: Caller): Promise<Plan> => {
      calls.push(org);
      if (held) await new Promise<void>((go) => waiting.push(go));
      const plan = plans[org];
      if (plan === undefined) throw new Error(`no organization ${org}`);
      return plan;
    },
  };
}

const of = (organizationId: string): Caller => ({ organizationId, userId: `user-of-${organizationId}`, role: 'member' });

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('PlanCache', () => {
  it('asks identity once per organization within the TTL, and again after it', async () => {
    const id = identity({ a: 'free', b: 'pro' });
    const c = clock();
    const cache = new PlanCache({ load: id.load, ttlMs: 5000, now: c.now });

    expect(await cache.planOf(of('a'))).toBe('free');
    expect(await cache.planOf(of('a'))).toBe('free');
    expect(await cache.planOf(of('b'))).toBe('pro');
    expect(id.calls).toEqual(['a', 'b']);

    id.plans['a'] = 'enterprise'; // changed by another replica's webhook
    c.advance(4999);
    expect(await cache.planOf(of('a'))).toBe('free');
    c.advance(1);
    expect(await cache.planOf(of('a'))).toBe('enterprise');
    expect(id.calls).toEqual(['a', 'b', 'a']);
  });

  it('shares one identity call between concurrent misses', async () => {
    const id = identity({ a: 'pro' });
    const cache = new PlanCache({ load: id.load, ttlMs: 5000 });
    id.hold();
    const all = Promise.all(Array.from({ length: 20 }, () => cache.planOf(of('a'))));
    id.release();
    expect(await all).toEqual(Array(20).fill('pro'));
    expect(id.calls).toEqual(['a']);
  });

  it('uses the plan GET /organization read at once, and keeps it over a read that was already under way', async () => {
    const id = identity({ a: 'free' });
    const c = clock();
    const cache = new PlanCache({ load: id.load, ttlMs: 5000, now: c.now });
    expect(await cache.planOf(of('a'))).toBe('free');

    cache.remember('a', 'pro');
    expect(await cache.planOf(of('a'))).toBe('pro');

    c.advance(5000);
    id.hold();
    const earlier = cache.planOf(of('a'));
    cache.remember('a', 'enterprise');
    id.release();
    expect(await earlier).toBe('free');
    expect(await cache.planOf(of('a'))).toBe('enterprise');
    expect(id.calls).toEqual(['a', 'a']);
  });

  it('after a billing event, asks identity at every call until identity answers the new plan, then caches it', async () => {
    const id = identity({ a: 'free' });
    const cache = new PlanCache({ load: id.load, ttlMs: 5000 });
    expect(await cache.planOf(of('a'))).toBe('free');

    cache.changing('a', 'pro'); // identity has not applied the event yet
    cache.remember('a', 'free'); // GET /organization read before identity applied it
    expect(await cache.planOf(of('a'))).toBe('free');
    expect(await cache.planOf(of('a'))).toBe('free');
    id.plans['a'] = 'pro'; // now it has
    expect(await cache.planOf(of('a'))).toBe('pro');
    expect(await cache.planOf(of('a'))).toBe('pro');
    expect(id.calls).toEqual(['a', 'a', 'a', 'a']);
  });

  it('drops a read under way when a billing event lands, and stops waiting for a plan identity never answers after one TTL', async () => {
    const id = identity({ a: 'enterprise' });
    const c = clock();
    const cache = new PlanCache({ load: id.load, ttlMs: 5000, now: c.now });
    id.hold();
    const before = cache.planOf(of('a'));
    cache.changing('a', 'pro'); // e.g. an old event re-sent: identity keeps enterprise
    id.release();
    expect(await before).toBe('enterprise');
    expect(await cache.planOf(of('a'))).toBe('enterprise');
    expect(await cache.planOf(of('a'))).toBe('enterprise');
    expect(id.calls).toHaveLength(3);

    c.advance(5000);
    expect(await cache.planOf(of('a'))).toBe('enterprise');
    expect(await cache.planOf(of('a'))).toBe('enterprise');
    expect(id.calls).toHaveLength(4);
  });

  it('does not remember a failed read: the next call asks identity again', async () => {
    const id = identity({});
    const cache = new PlanCache({ load: id.load, ttlMs: 5000 });
    await expect(cache.planOf(of('a'))).rejects.toThrow('no organization a');
    id.plans['a'] = 'free';
    expect(await cache.planOf(of('a'))).toBe('free');
    expect(id.calls).toEqual(['a', 'a']);
    expect(cache.size).toBe(1);
  });

  it('with a TTL of 0 asks identity at every call and remembers nothing', async () => {
    const id = identity({ a: 'free' });
    const cache = new PlanCache({ load: id.load, ttlMs: 0 });
    cache.remember('a', 'enterprise');
    cache.changing('a', 'pro');
    expect(await cache.planOf(of('a'))).toBe('free');
    expect(await cache.planOf(of('a'))).toBe('free');
    expect(id.calls).toEqual(['a', 'a']);
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries organizations, dropping the least recently stored', async () => {
    const id = identity({ a: 'free', b: 'pro', c: 'enterprise' });
    const cache = new PlanCache({ load: id.load, ttlMs: 5000, maxEntries: 2 });
    await cache.planOf(of('a'));
    await cache.planOf(of('b'));
    await cache.planOf(of('c'));
    expect(cache.size).toBe(2);
    await cache.planOf(of('b'));
    await cache.planOf(of('a'));
    expect(id.calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
