import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { createLogger, runMicroservice, type RunningMicroservice } from '@northstar/common';
import {
  IDENTITY,
  IDENTITY_EVENTS,
  IDENTITY_PATTERNS,
  envelope,
  type Caller,
  type JwksDto,
  type MessagePattern,
  type OrganizationDto,
  type RegisteredDto,
  type TokenPairDto,
  type UserDto,
} from '@northstar/contracts';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { randomUUID } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import { email, openIdentity, type IdentityFixture } from '../test/fixture.js';
import { IdentityModule } from './identity.module.js';

const PASSWORD = 'correct horse battery';
const logger = createLogger('identity', 'silent');
let fx: IdentityFixture;
let running: RunningMicroservice;
let client: ClientProxy;

beforeAll(async () => {
  fx = await openIdentity({ logger });
  running = await runMicroservice({
    service: IDENTITY,
    module: IdentityModule.forRoot({ db: fx.database.db, keys: fx.keys, tokens: { accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 3600 }, logger }),
    logger,
    handleSignals: false,
    readiness: [{ name: 'database', check: () => fx.database.ping() }],
    config: {
      host: '127.0.0.1',
      port: 0,
      healthPort: 0,
      shutdownDelayMs: 0,
      drainTimeoutMs: 5000,
      maxMessageBytes: 64 * 1024,
      incompleteMessageTimeoutMs: 1000,
      maxSendBufferBytes: 1024 * 1024,
    },
  });
  client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: running.tcpPort } });
}, 30_000);

afterAll(async () => {
  await client.close();
  await running.shutdown(0);
  await fx.close();
});

function call<T>(pattern: MessagePattern, data: unknown, caller?: Caller): Promise<T> {
  return firstValueFrom(client.send<T>(pattern, envelope(`req-${randomUUID()}`, data, caller)));
}

/** Handlers that return nothing complete the reply stream without a value. */
function callVoid(pattern: MessagePattern, data: unknown, caller?: Caller): Promise<void> {
  return firstValueFrom(client.send<void>(pattern, envelope(`req-${randomUUID()}`, data, caller)), { defaultValue: undefined });
}

describe('identity over TCP', () => {
  it('register → login → me, with the caller taken from the verified access token', async () => {
    const address = email('tcp');
    const registered = await call<RegisteredDto>(IDENTITY_PATTERNS.register, { email: address, password: PASSWORD, name: 'Tcp', organization: 'Wire Co' });
    expect(registered.user).toMatchObject({ email: address, role: 'owner' });

    const pair = await call<TokenPairDto>(IDENTITY_PATTERNS.login, { email: address, password: PASSWORD });
    const jwks = await call<JwksDto>(IDENTITY_PATTERNS.jwks, {});
    const { payload } = await jwtVerify(pair.accessToken, createLocalJWKSet(jwks));
    const caller: Caller = { userId: payload.sub!, organizationId: payload['org'] as string, role: payload['role'] as Caller['role'] };

    await expect(call<UserDto>(IDENTITY_PATTERNS.me, {}, caller)).resolves.toEqual(registered.user);
    await expect(call<OrganizationDto>(IDENTITY_PATTERNS.getOrganization, {}, caller)).resolves.toEqual({
      id: registered.user.organizationId,
      name: 'Wire Co',
      plan: 'free',
    });
  }, 30_000);

  it('answers a duplicate email with a coded 409 and a wrong password with a coded 401', async () => {
    const address = email('dup');
    await call(IDENTITY_PATTERNS.register, { email: address, password: PASSWORD, name: 'Dup', organization: 'Dup Co' });
    await expect(call(IDENTITY_PATTERNS.register, { email: address, password: PASSWORD, name: 'Dup', organization: 'Dup Co' })).rejects.toEqual({
      status: 409,
      code: 'EMAIL_TAKEN',
      message: 'An account with this email already exists',
    });
    await expect(call(IDENTITY_PATTERNS.login, { email: address, password: 'not the password' })).rejects.toEqual({
      status: 401,
      code: 'INVALID_CREDENTIALS',
      message: 'Email or password is incorrect',
    });
  }, 30_000);

  it('refuses unknown fields and calls that need a caller but carry none', async () => {
    await expect(call(IDENTITY_PATTERNS.login, { email: email('x'), password: PASSWORD, admin: true })).rejects.toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: ['property admin should not exist'],
    });
    await expect(call(IDENTITY_PATTERNS.me, {})).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  }, 30_000);

  it('logs out (no reply body) and applies a subscription event delivered twice once', async () => {
    const r = await call<RegisteredDto>(IDENTITY_PATTERNS.register, { email: email('evt'), password: PASSWORD, name: 'Evt', organization: 'Evt Co' });
    const caller: Caller = { userId: r.user.id, organizationId: r.user.organizationId, role: r.user.role };
    const { payload } = await jwtVerify(r.accessToken, createLocalJWKSet(fx.keys.jwks()));
    await expect(callVoid(IDENTITY_PATTERNS.logout, { sessionId: payload['sid'] }, caller)).resolves.toBeUndefined();
    await expect(call(IDENTITY_PATTERNS.refresh, { refreshToken: r.refreshToken })).rejects.toMatchObject({ status: 401, code: 'TOKEN_INVALID' });

    const event = { organizationId: r.user.organizationId, plan: 'pro', eventId: `evt_${randomUUID()}` };
    client.emit(IDENTITY_EVENTS.subscriptionUpdated, envelope('req-webhook', event));
    client.emit(IDENTITY_EVENTS.subscriptionUpdated, envelope('req-webhook', event));
    let plan = 'free';
    for (let i = 0; i < 50 && plan === 'free'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      plan = (await call<OrganizationDto>(IDENTITY_PATTERNS.getOrganization, {}, caller)).plan;
    }
    expect(plan).toBe('pro');
    const processed = await fx.database.db.selectFrom('processed_events').select('event_id').where('event_id', '=', event.eventId).execute();
    expect(processed).toHaveLength(1);
  }, 30_000);
});
