import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@northstar/common';
import type { Caller } from '@northstar/contracts';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { email, openIdentity, type IdentityFixture } from '../../test/fixture.js';
import { AuthService } from './auth.service.js';
import { BillingService } from './billing.service.js';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _e, done) {
    for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});

let fx: IdentityFixture;
let billing: BillingService;
let caller: Caller;

beforeAll(async () => {
  fx = await openIdentity({ logger: createLogger('identity', 'info', sink) });
  billing = fx.app.get(BillingService);
  const { user } = await fx.app.get(AuthService).register({ email: email('payer'), password: 'correct horse battery', name: 'Payer', organization: 'Paying Co' });
  caller = { userId: user.id, organizationId: user.organizationId, role: user.role };
}, 30_000);

afterAll(async () => {
  await fx.close();
});

describe('BillingService', () => {
  it('starts an organization on the free plan', async () => {
    await expect(billing.getOrganization(caller)).resolves.toEqual({ id: caller.organizationId, name: 'Paying Co', plan: 'free' });
  });

  it('applies a subscription event once: a replay, even after a later event, changes nothing', async () => {
    const first = `evt_${randomUUID()}`;
    const second = `evt_${randomUUID()}`;
    await expect(billing.applySubscription({ eventId: first, organizationId: caller.organizationId, plan: 'pro' })).resolves.toBe('applied');
    await expect(billing.getOrganization(caller)).resolves.toMatchObject({ plan: 'pro' });
    await expect(billing.applySubscription({ eventId: second, organizationId: caller.organizationId, plan: 'enterprise' })).resolves.toBe('applied');
    await expect(billing.applySubscription({ eventId: first, organizationId: caller.organizationId, plan: 'pro' })).resolves.toBe('duplicate');
    await expect(billing.getOrganization(caller)).resolves.toMatchObject({ plan: 'enterprise' });
  });

  it('applies concurrent deliveries of one event once', async () => {
    const id = `evt_${randomUUID()}`;
    const outcomes = await Promise.all([1, 2, 3].map(() => billing.applySubscription({ eventId: id, organizationId: caller.organizationId, plan: 'free' })));
    expect(outcomes.sort()).toEqual(['applied', 'duplicate', 'duplicate']);
  });

  it('does not record an event for an unknown organization, so a later delivery can still apply', async () => {
    const id = `evt_${randomUUID()}`;
    await expect(billing.applySubscription({ eventId: id, organizationId: randomUUID(), plan: 'pro' })).resolves.toBe('unknown-organization');
    const recorded = await fx.database.db.selectFrom('processed_events').select('event_id').where('event_id', '=', id).execute();
    expect(recorded).toEqual([]);
    expect(lines.some((l) => l['eventId'] === id && l['level'] === 'warn')).toBe(true);
  });
});
