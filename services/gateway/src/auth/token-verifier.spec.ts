import { describe, expect, it } from '@jest/globals';
import { createLogger, RpcUnavailableError } from '@northstar/common';
import { DomainError } from '@northstar/contracts';
import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { caller, createSigningKey, signAccessToken, tamper, unsigned, type SigningKey } from '../../test/harness/tokens.js';
import { JwksKeyStore } from './jwks-key-store.js';
import { TokenVerifier } from './token-verifier.js';

const logger = createLogger('gateway', 'silent');

function store(keys: () => SigningKey[], o: { ttlMs?: number; minRefetchMs?: number; now?: () => number; fail?: () => boolean } = {}) {
  let fetches = 0;
  const keyStore = new JwksKeyStore({
    fetch: async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 5));
      if (o.fail?.()) throw new RpcUnavailableError('connect_failed', '{"cmd":"jwks"}', undefined, false);
      return { keys: keys().map((k) => k.publicJwk) };
    },
    ttlMs: o.ttlMs ?? 300_000,
    minRefetchMs: o.minRefetchMs ?? 5000,
    logger,
    ...(o.now ? { now: o.now } : {}),
  });
  // No token cache here: these tests are about when the key store fetches.
  return { verifier: new TokenVerifier(keyStore.getKey, { ttlMs: 0 }), fetches: () => fetches };
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (error) {
    return error instanceof DomainError ? error.code : (error as Error).name;
  }
}

describe('TokenVerifier', () => {
  it('accepts an ES256 token from a published key and reads the caller and session', async () => {
    const key = await createSigningKey();
    const { verifier } = store(() => [key]);
    const who = caller('admin');
    const sessionId = randomUUID();
    expect(await verifier.verify(await signAccessToken(key, who, { sessionId }))).toMatchObject({ caller: who, sessionId });
  });

  it('refuses expired, tampered, alg:none, HS256, wrong-audience and wrong-issuer tokens as TOKEN_INVALID', async () => {
    const key = await createSigningKey();
    const { verifier } = store(() => [key]);
    const who = caller();
    const good = await signAccessToken(key, who);
    // The classic confusion attack: the public key used as an HMAC secret.
    const hs256 = await new SignJWT({ org: who.organizationId, role: 'owner', sid: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .setSubject(who.userId)
      .setIssuer('northstar-identity')
      .setAudience('northstar')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk)));
    const cases = {
      expired: await signAccessToken(key, who, { expiresIn: -60 }),
      tampered: tamper(good, (p) => (p['org'] = randomUUID())),
      algNone: unsigned(good),
      hs256,
      wrongAudience: await signAccessToken(key, who, { audience: 'another-app' }),
      wrongIssuer: await signAccessToken(key, who, { issuer: 'someone' }),
      garbage: 'abc.def.ghi',
    };
    for (const [name, token] of Object.entries(cases)) {
      expect([name, await rejection(verifier.verify(token))]).toEqual([name, 'TOKEN_INVALID']);
    }
  });

  it('refuses a correctly signed token without the claims a caller needs', async () => {
    const key = await createSigningKey();
    const { verifier } = store(() => [key]);
    const noRole = await new SignJWT({ org: randomUUID(), sid: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setSubject(randomUUID())
      .setIssuer('northstar-identity')
      .setAudience('northstar')
      .setExpirationTime('5m')
      .sign(key.privateKey);
    expect(await rejection(verifier.verify(noRole))).toBe('TOKEN_INVALID');
    expect(await rejection(verifier.verify(await signAccessToken(key, { ...caller(), role: 'superuser' as 'owner' })))).toBe('TOKEN_INVALID');
  });
});

describe('TokenVerifier cache', () => {
  function counting(keys: () => SigningKey[], options?: { ttlMs?: number }) {
    const keyStore = new JwksKeyStore({ fetch: async () => ({ keys: keys().map((k) => k.publicJwk) }), ttlMs: 300_000, minRefetchMs: 5000, logger });
    let lookups = 0;
    const verifier = new TokenVerifier(async (header, token) => {
      lookups++;
      return keyStore.getKey(header, token);
    }, options);
    return { verifier, lookups: () => lookups };
  }

  it('checks the signature of a token once, then trusts it until its TTL', async () => {
    const key = await createSigningKey();
    const { verifier, lookups } = counting(() => [key]);
    const token = await signAccessToken(key, caller());
    for (let i = 0; i < 5; i++) await verifier.verify(token);
    expect(lookups()).toBe(1);
  });

  it('verifies again once the TTL has passed', async () => {
    const key = await createSigningKey();
    const { verifier, lookups } = counting(() => [key], { ttlMs: 0 });
    const token = await signAccessToken(key, caller());
    await verifier.verify(token);
    await verifier.verify(token);
    expect(lookups()).toBe(2);
  });

  it('never lets a tampered copy of a trusted token through', async () => {
    const key = await createSigningKey();
    const { verifier } = counting(() => [key]);
    const token = await signAccessToken(key, caller('viewer'));
    await verifier.verify(token);
    expect(await rejection(verifier.verify(tamper(token, (claims) => (claims['role'] = 'owner'))))).toBe('TOKEN_INVALID');
  });
});

describe('JwksKeyStore', () => {
  it('fetches once for many concurrent first requests, then serves from cache', async () => {
    const key = await createSigningKey();
    const { verifier, fetches } = store(() => [key]);
    const token = await signAccessToken(key, caller());
    await Promise.all(Array.from({ length: 10 }, () => verifier.verify(token)));
    await verifier.verify(token);
    expect(fetches()).toBe(1);
  });

  it('refetches on an unknown kid (rotation) at most once per interval, one fetch shared by concurrent requests', async () => {
    let now = 0;
    const old = await createSigningKey();
    const rotated = await createSigningKey();
    let published = [old];
    const { verifier, fetches } = store(() => published, { minRefetchMs: 5000, now: () => now });
    await verifier.verify(await signAccessToken(old, caller()));
    published = [old, rotated];
    const token = await signAccessToken(rotated, caller());

    expect(await rejection(verifier.verify(token))).toBe('TOKEN_INVALID');
    expect(fetches()).toBe(1);

    now = 5000;
    await Promise.all(Array.from({ length: 5 }, () => verifier.verify(token)));
    expect(fetches()).toBe(2);

    const stranger = await signAccessToken(await createSigningKey(), caller());
    now = 6000;
    expect(await rejection(verifier.verify(stranger))).toBe('TOKEN_INVALID');
    expect(fetches()).toBe(2);
  });

  it('refreshes after the TTL in the background, and keeps verifying with the old keys while identity is unreachable', async () => {
    let now = 0;
    let down = false;
    const key = await createSigningKey();
    const { verifier, fetches } = store(() => [key], { ttlMs: 60_000, minRefetchMs: 5000, now: () => now, fail: () => down });
    const token = await signAccessToken(key, caller());
    const settle = () => new Promise((r) => setTimeout(r, 20));
    await verifier.verify(token);
    now = 60_000;
    await verifier.verify(token);
    await settle();
    expect(fetches()).toBe(2);

    down = true;
    now = 120_000;
    await expect(verifier.verify(token)).resolves.toBeDefined();
    await settle();
    expect(fetches()).toBe(3);
    // Failed refreshes are retried no more than once per minRefetchMs.
    now = 121_000;
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(fetches()).toBe(3);
    now = 125_000;
    await verifier.verify(token);
    expect(fetches()).toBe(4);
  });

  it('lets the RPC error through when there are no keys at all (the gateway answers 503)', async () => {
    const key = await createSigningKey();
    const { verifier } = store(() => [key], { fail: () => true });
    expect(await rejection(verifier.verify(await signAccessToken(key, caller())))).toBe('RpcUnavailableError');
  });
});
