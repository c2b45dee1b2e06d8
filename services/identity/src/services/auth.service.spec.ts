import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ACCESS_TOKEN_ALG, TOKEN_AUDIENCE, TOKEN_ISSUER, type Caller, type RegisteredDto } from '@northstar/contracts';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { randomUUID } from 'node:crypto';
import { email, generatePem, keySet, openIdentity, type IdentityFixture } from '../../test/fixture.js';
import { RefreshTokenRepository } from '../repositories/refresh-token.repository.js';
import { AuthService } from './auth.service.js';
import { hashRefreshToken, TokensService } from './tokens.service.js';

const PASSWORD = 'correct horse battery';
let fx: IdentityFixture;
let auth: AuthService;
let tokens: TokensService;

beforeAll(async () => {
  // Two keys: the first signs, both are published (a rotation in progress).
  fx = await openIdentity({ keys: await keySet(generatePem('sec1'), generatePem('pkcs8')) });
  auth = fx.app.get(AuthService);
  tokens = fx.app.get(TokensService);
}, 30_000);

afterAll(async () => {
  await fx.close();
});

function register(local: string, organization = `${local} Inc`): Promise<RegisteredDto> {
  return auth.register({ email: email(local), password: PASSWORD, name: local, organization });
}

function callerOf(r: RegisteredDto): Caller {
  return { userId: r.user.id, organizationId: r.user.organizationId, role: r.user.role };
}

async function sessionOf(accessToken: string): Promise<string> {
  const { payload } = await jwtVerify(accessToken, createLocalJWKSet(tokens.jwks()));
  return payload['sid'] as string;
}

describe('register and login', () => {
  it('registers the first user as owner of a new free organization', async () => {
    const r = await register('ada');
    expect(r.user).toEqual({ id: expect.any(String), email: expect.stringMatching(/^ada\+/), name: 'ada', role: 'owner', organizationId: expect.any(String) });
    expect(r).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresIn: 900 });
    const row = await fx.database.db.selectFrom('organizations').selectAll().where('id', '=', r.user.organizationId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'ada Inc', plan: 'free' });
  }, 30_000);

  it('refuses a duplicate email, whatever its case, and creates no organization for it', async () => {
    const address = email('grace');
    await auth.register({ email: address, password: PASSWORD, name: 'Grace', organization: 'Navy' });
    const orgsBefore = await fx.database.db.selectFrom('organizations').select('id').execute();
    await expect(auth.register({ email: address.toUpperCase(), password: PASSWORD, name: 'G', organization: 'Other' })).rejects.toMatchObject({
      code: 'EMAIL_TAKEN',
      status: 409,
    });
    expect(await fx.database.db.selectFrom('organizations').select('id').execute()).toHaveLength(orgsBefore.length);
  }, 30_000);

  it('logs in with any case of the email; wrong password and unknown email fail alike', async () => {
    const address = email('linus');
    await auth.register({ email: address, password: PASSWORD, name: 'Linus', organization: 'Kernel' });
    const pair = await auth.login({ email: address.toUpperCase(), password: PASSWORD });
    expect(pair).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900 });

    const wrong = await auth.login({ email: address, password: 'not the password' }).catch((e: unknown) => e);
    const unknown = await auth.login({ email: email('nobody'), password: PASSWORD }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
    expect(unknown).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401, message: (wrong as Error).message });
  }, 30_000);

  it('stores neither passwords nor refresh tokens in the clear', async () => {
    const r = await register('hedy');
    const user = await fx.database.db.selectFrom('users').select('password_hash').where('id', '=', r.user.id).executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^scrypt\$/);
    const stored = await fx.database.db.selectFrom('refresh_tokens').select('token_hash').where('user_id', '=', r.user.id).execute();
    expect(stored).toEqual([{ token_hash: hashRefreshToken(r.refreshToken) }]);
  }, 30_000);

  it('answers me with the role currently in the database', async () => {
    const r = await register('barbara');
    await fx.database.db.updateTable('users').set({ role: 'admin' }).where('id', '=', r.user.id).execute();
    await expect(auth.me(callerOf(r))).resolves.toEqual({ ...r.user, role: 'admin' });
    await expect(auth.me({ ...callerOf(r), organizationId: randomUUID() })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  }, 30_000);
});

describe('access tokens', () => {
  it('verify against the JWKS with the right claims, signed by the first of two published keys', async () => {
    const r = await register('alan');
    const jwks = tokens.jwks();
    expect(jwks.keys.map((k) => k['kid'])).toEqual(fx.keys.kids);
    expect(jwks.keys).toHaveLength(2);

    const header = decodeProtectedHeader(r.accessToken);
    expect(header).toMatchObject({ alg: ACCESS_TOKEN_ALG, kid: fx.keys.kids[0] });
    const { payload } = await jwtVerify(r.accessToken, createLocalJWKSet(jwks), {
      algorithms: [ACCESS_TOKEN_ALG],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
    });
    expect(payload).toMatchObject({ sub: r.user.id, org: r.user.organizationId, role: 'owner', sid: expect.any(String) });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
  }, 30_000);
});

describe('refresh tokens', () => {
  it('rotate: a refresh returns a new pair in the same session and spends the old token', async () => {
    const r = await register('rot');
    const next = await auth.refresh({ refreshToken: r.refreshToken });
    expect(next.refreshToken).not.toBe(r.refreshToken);
    expect(await sessionOf(next.accessToken)).toBe(await sessionOf(r.accessToken));
    const again = await auth.refresh({ refreshToken: next.refreshToken });
    expect(again.refreshToken).not.toBe(next.refreshToken);
  }, 30_000);

  it('carry the current role into the refreshed access token', async () => {
    const r = await register('promoted');
    await fx.database.db.updateTable('users').set({ role: 'viewer' }).where('id', '=', r.user.id).execute();
    const next = await auth.refresh({ refreshToken: r.refreshToken });
    const { payload } = await jwtVerify(next.accessToken, createLocalJWKSet(tokens.jwks()));
    expect(payload['role']).toBe('viewer');
  }, 30_000);

  it('reusing a spent token revokes the whole family: the newest token then fails too', async () => {
    const r = await register('thief');
    const legit = await auth.refresh({ refreshToken: r.refreshToken });
    await expect(auth.refresh({ refreshToken: r.refreshToken })).rejects.toMatchObject({ code: 'TOKEN_REUSED', status: 401 });
    await expect(auth.refresh({ refreshToken: legit.refreshToken })).rejects.toMatchObject({ code: 'TOKEN_INVALID', status: 401 });
    // Another session of the same user is untouched.
    const other = await auth.login({ email: r.user.email, password: PASSWORD });
    await expect(auth.refresh({ refreshToken: other.refreshToken })).resolves.toMatchObject({ expiresIn: 900 });
  }, 30_000);

  it('of two concurrent uses of one token, exactly one rotates', async () => {
    const r = await register('racer');
    const results = await Promise.allSettled([auth.refresh({ refreshToken: r.refreshToken }), auth.refresh({ refreshToken: r.refreshToken })]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((x) => x.status === 'rejected')).toMatchObject({ reason: { code: 'TOKEN_REUSED' } });
  }, 30_000);

  it('unknown and expired tokens are invalid', async () => {
    await expect(auth.refresh({ refreshToken: 'x'.repeat(43) })).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    const r = await register('expired');
    const old = 'expired-token-for-the-test-only-000000000000';
    await fx.app.get(RefreshTokenRepository).insert({
      tokenHash: hashRefreshToken(old),
      familyId: randomUUID(),
      userId: r.user.id,
      expiresAt: new Date(Date.now() - 1000),
    });
    await expect(auth.refresh({ refreshToken: old })).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  }, 30_000);

  it('logout revokes the session it names, and only the caller\'s own', async () => {
    const r = await register('leaver');
    const sid = await sessionOf(r.accessToken);
    const stranger = await register('stranger');
    await expect(auth.logout(callerOf(stranger), { sessionId: sid })).resolves.toBeUndefined();
    const rotated = await auth.refresh({ refreshToken: r.refreshToken });

    await auth.logout(callerOf(r), { sessionId: sid });
    await expect(auth.refresh({ refreshToken: rotated.refreshToken })).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  }, 30_000);
});
