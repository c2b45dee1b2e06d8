import { describe, expect, it } from '@jest/globals';
import { parseSignatureHeader, signPayload, verifySignature } from './webhook-signature.js';

const secret = 'whsec-0123456789abcdef';
const body = Buffer.from('{"id":"evt_1","type":"subscription.updated"}');
const now = 1_800_000_000;
const header = (t: number, b = body, s = secret) => `t=${t},v1=${signPayload(s, t, b)}`;
const verify = (h: string | string[] | undefined, at = now, b = body) => verifySignature({ header: h, rawBody: b, secret, toleranceSeconds: 300, now: at });

describe('verifySignature', () => {
  it('accepts HMAC-SHA256 over "<t>.<raw body>" within the tolerance, either side of now', () => {
    expect(verify(header(now))).toEqual({ ok: true, timestamp: now, signature: signPayload(secret, now, body) });
    expect(verify(header(now - 300)).ok).toBe(true);
    expect(verify(header(now + 300)).ok).toBe(true);
  });

  it('refuses a timestamp outside the tolerance as stale', () => {
    expect(verify(header(now - 301))).toEqual({ ok: false, reason: 'stale' });
    expect(verify(header(now + 301))).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses another secret, another body or a moved timestamp as a mismatch', () => {
    expect(verify(header(now, body, 'another-secret-xyz'))).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify(header(now), now, Buffer.from(`${body.toString()} `))).toEqual({ ok: false, reason: 'mismatch' });
    const sig = signPayload(secret, now, body);
    expect(verify(`t=${now - 1},v1=${sig}`)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('accepts any matching v1 among several (secret rotation)', () => {
    const other = signPayload('old-secret-0123456789', now, body);
    expect(verify(`t=${now},v1=${other},v1=${signPayload(secret, now, body)}`).ok).toBe(true);
  });

  it('tells a missing header from a malformed one', () => {
    expect(verify(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(verify('')).toEqual({ ok: false, reason: 'missing' });
    for (const bad of ['garbage', `v1=${'a'.repeat(64)}`, `t=${now}`, `t=${now},v1=xyz`, `t=soon,v1=${'a'.repeat(64)}`, `t=1,t=2,v1=${'a'.repeat(64)}`, [header(now), header(now)]]) {
      expect(verify(bad)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});

describe('parseSignatureHeader', () => {
  it('reads t and every v1, ignoring other schemes', () => {
    const a = 'a'.repeat(64);
    expect(parseSignatureHeader(`t=12, v1=${a}, v0=dead`)).toEqual({ timestamp: 12, signatures: [a] });
  });
});
