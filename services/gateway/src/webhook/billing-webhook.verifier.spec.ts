import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@northstar/contracts';
import { BillingWebhookVerifier } from './billing-webhook.verifier.js';
import { ReplayCache } from './replay-cache.js';
import { signPayload } from './webhook-signature.js';

const secret = 'whsec-0123456789abcdef';
const body = Buffer.from('{"id":"evt_1"}');

function setup(startMs = 1_800_000_000_000) {
  let clock = startMs;
  const verifier = new BillingWebhookVerifier({ secret, toleranceSeconds: 300, maxRememberedSignatures: 3, now: () => clock });
  const sign = (b = body) => {
    const t = Math.floor(clock / 1000);
    return `t=${t},v1=${signPayload(secret, t, b)}`;
  };
  return { verifier, sign, advance: (ms: number) => (clock += ms) };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? `${error.status} ${error.code}` : 'other';
  }
  return undefined;
}

describe('BillingWebhookVerifier', () => {
  it('admits a delivery once and refuses its replay with 409 REPLAYED_EVENT', () => {
    const { verifier, sign } = setup();
    const header = sign();
    expect(codeOf(() => verifier.admit(header, body))).toBeUndefined();
    expect(codeOf(() => verifier.admit(header, body))).toBe('409 REPLAYED_EVENT');
  });

  it('refuses the replay for the whole tolerance window, after which it is stale (401) anyway', () => {
    const { verifier, sign, advance } = setup();
    const header = sign();
    verifier.admit(header, body);
    advance(299_000);
    expect(codeOf(() => verifier.admit(header, body))).toBe('409 REPLAYED_EVENT');
    advance(2_000);
    expect(codeOf(() => verifier.admit(header, body))).toBe('401 INVALID_SIGNATURE');
  });

  it('maps missing and malformed headers to 400, bad signatures to 401', () => {
    const { verifier, sign } = setup();
    expect(codeOf(() => verifier.admit(undefined, body))).toBe('400 BAD_REQUEST');
    expect(codeOf(() => verifier.admit('t=1', body))).toBe('400 BAD_REQUEST');
    expect(codeOf(() => verifier.admit(sign(Buffer.from('{}')), body))).toBe('401 INVALID_SIGNATURE');
    expect(codeOf(() => verifier.admit(sign(), undefined))).toBe('401 INVALID_SIGNATURE');
  });

  it('forgets a released claim, so the sender can retry a delivery that failed downstream', () => {
    const { verifier, sign } = setup();
    const header = sign();
    const claimed = verifier.admit(header, body);
    verifier.release(claimed);
    expect(codeOf(() => verifier.admit(header, body))).toBeUndefined();
  });
});

describe('ReplayCache', () => {
  it('stays within its bound, dropping expired entries first, then the oldest', () => {
    let now = 0;
    const cache = new ReplayCache(3, () => now);
    expect(cache.claim('a', 100)).toBe(true);
    expect(cache.claim('b', 1000)).toBe(true);
    expect(cache.claim('c', 1000)).toBe(true);
    now = 200;
    expect(cache.claim('d', 1000)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.claim('b', 1000)).toBe(false);
    expect(cache.claim('e', 1000)).toBe(true);
    expect(cache.size).toBe(3);
    expect(cache.claim('b', 1000)).toBe(true);
  });
});
