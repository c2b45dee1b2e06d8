import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REQUEST_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, type RpcEnvelope } from '@northstar/contracts';
import { SignJWT } from 'jose';
import { createHmac, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { startFakeIdentity, startFakeRoadmap, startSilentServer, type FakeService } from '../test/harness/fake-services.js';
import { startGateway, WEBHOOK_SECRET, type TestGateway } from '../test/harness/gateway.js';
import { call, type Injected } from '../test/harness/inject.js';
import { caller, createSigningKey, signAccessToken, tamper, unsigned, type SigningKey } from '../test/harness/tokens.js';

let key: SigningKey;
let identity: FakeService;
let roadmap: FakeService;
let gw: TestGateway;

const ORIGIN = 'https://app.example.test';

function expectError(res: Injected, status: number, code?: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ statusCode: status, requestId: res.headers[REQUEST_ID_HEADER] });
  expect(typeof res.body['error']).toBe('string');
  expect(res.body['message']).toBeDefined();
  if (code) expect(res.body['code']).toBe(code);
}

beforeAll(async () => {
  key = await createSigningKey();
  identity = await startFakeIdentity(() => [key.publicJwk]);
  roadmap = await startFakeRoadmap();
  gw = await startGateway({ MS_ONE_PORT: String(roadmap.port), MS_TWO_PORT: String(identity.port), CORS_ORIGINS: ORIGIN });
});

afterAll(async () => {
  await gw?.close();
  await identity?.close();
  await roadmap?.close();
});

describe('auth routes', () => {
  it('POST /auth/register answers 201 with the registered user', async () => {
    const res = await call(gw, 'POST', '/auth/register', { body: { email: 'ada@example.test', password: 'correct horse battery', name: 'Ada', organization: 'Acme' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ accessToken: 'a', refreshToken: 'r', user: { email: 'ada@example.test', role: 'owner' } });
  });

  it('POST /auth/login answers 200, and the service\'s coded error keeps its status and code', async () => {
    expect((await call(gw, 'POST', '/auth/login', { body: { email: 'ada@example.test', password: 'correct horse battery' } })).status).toBe(200);
    const wrong = await call(gw, 'POST', '/auth/login', { body: { email: 'ada@example.test', password: 'nope' } });
    expectError(wrong, 401, 'INVALID_CREDENTIALS');
    expect(wrong.body['message']).toBe('Wrong email or password');
  });

  it('a 500 from downstream carries no internals', async () => {
    // The fake identity has no refresh handler: Nest answers with its own non-coded error.
    const res = await call(gw, 'POST', '/auth/refresh', { body: { refreshToken: 'x' } });
    expectError(res, 500, 'INTERNAL');
    expect(res.body['message']).toBe('Internal server error');
  });

  it('GET /auth/me answers the caller, POST /auth/logout sends the token\'s session id and answers 204', async () => {
    const who = caller('member');
    const sessionId = randomUUID();
    const token = await signAccessToken(key, who, { sessionId });
    const me = await call(gw, 'GET', '/auth/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: who.userId, organizationId: who.organizationId, role: 'member' });

    const out = await call(gw, 'POST', '/auth/logout', { token });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    expect(identity.recorder.last('logout')).toMatchObject({ data: { sessionId }, meta: { caller: who } });
  });

  it('GET /organization answers the caller\'s organization with its plan', async () => {
    const who = caller('viewer');
    const res = await call(gw, 'GET', '/organization', { token: await signAccessToken(key, who) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: who.organizationId, name: 'Acme', plan: 'pro' });
  });
});

describe('request validation', () => {
  it('refuses an unknown field with 400 VALIDATION_FAILED and the message list', async () => {
    const res = await call(gw, 'POST', '/auth/register', {
      body: { email: 'x@example.test', password: 'correct horse battery', name: 'X', organization: 'X', role: 'owner' },
    });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body['message']).toEqual(['property role should not exist']);
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await call(gw, 'POST', '/auth/login', { raw: '{"email": "a@b.c", ' });
    expectError(res, 400, 'BAD_REQUEST');
    expect(res.body['message']).toMatch(/JSON/);
  });

  it('refuses a 1.1 MiB body with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await call(gw, 'POST', '/auth/login', { raw: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(1.1 * 1024 * 1024) }) });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a path id that is not a UUID and a bad query with 400, before calling any service', async () => {
    const token = await signAccessToken(key, caller('owner'));
    const before = roadmap.recorder.messages.length;
    expectError(await call(gw, 'GET', '/items/not-a-uuid', { token }), 400, 'VALIDATION_FAILED');
    expectError(await call(gw, 'DELETE', '/members/123', { token }), 400, 'VALIDATION_FAILED');
    expectError(await call(gw, 'GET', '/items?limit=abc', { token }), 400, 'VALIDATION_FAILED');
    expectError(await call(gw, 'GET', '/items?sort=title', { token }), 400, 'VALIDATION_FAILED');
    expect(roadmap.recorder.messages.length).toBe(before);
  });

  it('answers unknown routes with the JSON error shape', async () => {
    expectError(await call(gw, 'GET', '/nope'), 404, 'NOT_FOUND');
  });
});

describe('authentication', () => {
  const who = caller('owner');

  async function expect401(token: string | undefined, headers: Record<string, string> = {}): Promise<void> {
    const res = await call(gw, 'GET', '/items', { ...(token ? { token } : {}), headers });
    expectError(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  }

  it('refuses a missing or non-bearer Authorization with 401 UNAUTHENTICATED', async () => {
    await expect401(undefined);
    await expect401(undefined, { authorization: 'Basic YWRhOnB3' });
    expect((await call(gw, 'GET', '/items')).body['code']).toBe('UNAUTHENTICATED');
  });

  it('refuses expired, tampered, alg:none, HS256, foreign-audience and foreign-issuer tokens with 401 TOKEN_INVALID', async () => {
    const good = await signAccessToken(key, who);
    const hs256 = await new SignJWT({ org: who.organizationId, role: 'owner', sid: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .setSubject(who.userId)
      .setIssuer('northstar-identity')
      .setAudience('northstar')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk)));
    const bad = [
      await signAccessToken(key, who, { expiresIn: -120 }),
      tamper(good, (p) => (p['role'] = 'owner', p['org'] = randomUUID())),
      unsigned(good),
      hs256,
      await signAccessToken(key, who, { audience: 'someone-else' }),
      await signAccessToken(key, who, { issuer: 'evil' }),
      'not.a.jwt',
    ];
    for (const token of bad) {
      const res = await call(gw, 'GET', '/items', { token });
      expectError(res, 401, 'TOKEN_INVALID');
    }
    expect((await call(gw, 'GET', '/items', { token: good })).status).toBe(200);
  });
});

describe('roles', () => {
  it('lets a viewer read items but refuses every write with 403', async () => {
    const token = await signAccessToken(key, caller('viewer'));
    expect((await call(gw, 'GET', '/items', { token })).status).toBe(200);
    const id = randomUUID();
    expectError(await call(gw, 'POST', '/items', { token, body: { title: 'x' } }), 403, 'FORBIDDEN');
    expectError(await call(gw, 'PATCH', `/items/${id}`, { token, body: { version: 1, title: 'y' } }), 403, 'FORBIDDEN');
    expectError(await call(gw, 'DELETE', `/items/${id}`, { token }), 403, 'FORBIDDEN');
  });

  it('lets owner and admin add and remove members, only the owner change roles', async () => {
    const member = await signAccessToken(key, caller('member'));
    const admin = await signAccessToken(key, caller('admin'));
    const body = { email: 'new@example.test', name: 'New', password: 'correct horse battery', role: 'member' };
    expectError(await call(gw, 'POST', '/members', { token: member, body }), 403, 'FORBIDDEN');
    expectError(await call(gw, 'PATCH', `/members/${randomUUID()}`, { token: admin, body: { role: 'viewer' } }), 403, 'FORBIDDEN');
    expectError(await call(gw, 'DELETE', `/members/${randomUUID()}`, { token: member }), 403, 'FORBIDDEN');
    const removed = await call(gw, 'DELETE', `/members/${randomUUID()}`, { token: admin });
    expect(removed.status).toBe(204);
    expectError(await call(gw, 'DELETE', '/members/00000000-0000-4000-8000-000000000000', { token: admin }), 409, 'LAST_OWNER');
  });
});

describe('items', () => {
  it('creates (201), reads, lists, updates with version (stale → 409) and deletes (204)', async () => {
    const token = await signAccessToken(key, caller('member'));
    const created = await call(gw, 'POST', '/items', { token, body: { title: 'SSO', status: 'planned' } });
    expect(created.status).toBe(201);
    const id = created.body['id'] as string;

    expect((await call(gw, 'GET', `/items/${id}`, { token })).body).toMatchObject({ id, title: 'SSO', version: 1 });
    const page = await call(gw, 'GET', '/items?status=planned&limit=5', { token });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ items: [{ id }], nextCursor: null });
    expect(roadmap.recorder.last('findAllItems')?.data).toEqual({ status: 'planned', limit: 5 });

    const updated = await call(gw, 'PATCH', `/items/${id}`, { token, body: { version: 1, title: 'Single sign-on' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ title: 'Single sign-on', version: 2 });
    expect(roadmap.recorder.last('updateItem')?.data).toEqual({ id, version: 1, title: 'Single sign-on' });
    expectError(await call(gw, 'PATCH', `/items/${id}`, { token, body: { version: 1, title: 'late' } }), 409, 'VERSION_CONFLICT');

    const deleted = await call(gw, 'DELETE', `/items/${id}`, { token });
    expect(deleted.status).toBe(204);
    expectError(await call(gw, 'GET', `/items/${id}`, { token }), 404, 'ITEM_NOT_FOUND');
  });

  it("answers another organization's item with 404", async () => {
    const mine = await signAccessToken(key, caller('owner'));
    const theirs = await signAccessToken(key, caller('owner'));
    const id = (await call(gw, 'POST', '/items', { token: mine, body: { title: 'private' } })).body['id'] as string;
    expectError(await call(gw, 'GET', `/items/${id}`, { token: theirs }), 404, 'ITEM_NOT_FOUND');
  });
});

describe('request id', () => {
  it('echoes a sane x-request-id and sends it downstream with the caller, across body parsing', async () => {
    const who = caller('member');
    const requestId = `req-${randomUUID()}`;
    const res = await call(gw, 'POST', '/items', { token: await signAccessToken(key, who), body: { title: 'traced' }, headers: { [REQUEST_ID_HEADER]: requestId } });
    expect(res.status).toBe(201);
    expect(res.headers[REQUEST_ID_HEADER]).toBe(requestId);
    const sent = roadmap.recorder.last('createItem') as RpcEnvelope<unknown>;
    expect(sent.meta).toEqual({ requestId, caller: who });
    // The fake identity says the organization is on `pro`.
    expect(sent.data).toEqual({ title: 'traced', maxItems: 10_000 });
  });

  it('generates an id when the request has none or an unsafe one', async () => {
    const none = await call(gw, 'GET', '/health/live');
    expect(none.headers[REQUEST_ID_HEADER]).toMatch(/^[0-9a-f-]{36}$/);
    for (const unsafe of ['bad$id', 'x'.repeat(200), '{"json":1}']) {
      const res = await call(gw, 'GET', '/health/live', { headers: { [REQUEST_ID_HEADER]: unsafe } });
      expect(res.headers[REQUEST_ID_HEADER]).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('writes one access log line per request with the route template, status and duration, carrying the id and the caller', async () => {
    const who = caller('viewer');
    const requestId = `log-${randomUUID()}`;
    const token = await signAccessToken(key, who);
    await call(gw, 'GET', `/items/${randomUUID()}`, { token, headers: { [REQUEST_ID_HEADER]: requestId } });
    const lines = gw.logs.lines.filter((l) => l['requestId'] === requestId);
    // The access line skips redaction (request-hooks.ts): it must not carry the token anyway.
    expect(JSON.stringify(lines)).not.toContain(token.split('.')[2]);
    const access = lines.filter((l) => l['msg'] === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ method: 'GET', route: '/items/:id', status: 404, userId: who.userId, organizationId: who.organizationId });
    expect(typeof access[0]!['ms']).toBe('number');
  });
});

describe('billing webhook', () => {
  function sign(body: string, t = Math.floor(Date.now() / 1000), secret = WEBHOOK_SECRET): string {
    return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
  }
  const event = (type = 'subscription.updated') =>
    JSON.stringify({ id: `evt_${randomUUID()}`, type, data: { organizationId: randomUUID(), plan: 'enterprise' } });
  const forwarded = () => identity.recorder.messages.filter((m) => m.pattern === 'subscriptionUpdated').length;

  async function waitForForwarded(count: number): Promise<void> {
    for (let i = 0; i < 100 && forwarded() < count; i++) await new Promise((r) => setTimeout(r, 10));
  }

  it('forwards a correctly signed subscription.updated as an event with the request id, then refuses its replay with 409', async () => {
    const body = event();
    const before = forwarded();
    const headers = { [WEBHOOK_SIGNATURE_HEADER]: sign(body), [REQUEST_ID_HEADER]: 'webhook-1' };
    const ok = await call(gw, 'POST', '/webhook/billing', { raw: body, headers });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ received: true });
    await waitForForwarded(before + 1);
    const parsed = JSON.parse(body) as { id: string; data: { organizationId: string; plan: string } };
    expect(identity.recorder.last('subscriptionUpdated')).toEqual({
      meta: { requestId: 'webhook-1' },
      data: { organizationId: parsed.data.organizationId, plan: 'enterprise', eventId: parsed.id },
    });

    expectError(await call(gw, 'POST', '/webhook/billing', { raw: body, headers }), 409, 'REPLAYED_EVENT');
    await new Promise((r) => setTimeout(r, 50));
    expect(forwarded()).toBe(before + 1);
  });

  it('refuses missing and malformed headers (400), wrong signatures and stale timestamps (401), forwarding nothing', async () => {
    const body = event();
    const before = forwarded();
    const post = (signature?: string) =>
      call(gw, 'POST', '/webhook/billing', { raw: body, headers: signature === undefined ? {} : { [WEBHOOK_SIGNATURE_HEADER]: signature } });
    expectError(await post(), 400, 'BAD_REQUEST');
    expectError(await post('v1=abc'), 400, 'BAD_REQUEST');
    expectError(await post(sign(body, undefined, 'another-secret-0123456789')), 401, 'INVALID_SIGNATURE');
    expectError(await post(sign(`${body} `)), 401, 'INVALID_SIGNATURE');
    expectError(await post(sign(body, Math.floor(Date.now() / 1000) - 301)), 401, 'INVALID_SIGNATURE');
    await new Promise((r) => setTimeout(r, 50));
    expect(forwarded()).toBe(before);
  });

  it('acknowledges other event types without forwarding them', async () => {
    const body = event('invoice.paid');
    const before = forwarded();
    const res = await call(gw, 'POST', '/webhook/billing', { raw: body, headers: { [WEBHOOK_SIGNATURE_HEADER]: sign(body) } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, ignored: true });
    expect(forwarded()).toBe(before);
  });
});

describe('OpenAPI, health, metrics and headers', () => {
  it('lists every route with bearer security and every DTO schema', async () => {
    const res = await call(gw, 'GET', '/api-json');
    expect(res.status).toBe(200);
    const doc = res.body as { paths: Record<string, Record<string, { security?: unknown[] }>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      [
        'POST /auth/register', 'POST /auth/login', 'POST /auth/refresh', 'POST /auth/logout', 'GET /auth/me',
        'GET /members', 'POST /members', 'PATCH /members/{id}', 'DELETE /members/{id}',
        'POST /items', 'GET /items', 'GET /items/{id}', 'PATCH /items/{id}', 'DELETE /items/{id}',
        'GET /organization', 'POST /webhook/billing',
        'GET /health/live', 'GET /health/ready', 'GET /metrics',
      ].sort(),
    );
    expect(doc.components.securitySchemes['bearer']).toMatchObject({ type: 'http', scheme: 'bearer' });
    const bearer = [{ bearer: [] }];
    for (const [path, method] of [['/auth/me', 'get'], ['/auth/logout', 'post'], ['/items', 'post'], ['/items/{id}', 'patch'], ['/members/{id}', 'delete'], ['/organization', 'get']] as const) {
      expect(doc.paths[path]?.[method]?.security).toEqual(bearer);
    }
    expect(doc.paths['/auth/login']?.['post']?.security).toBeUndefined();
    for (const dto of ['RegisterDto', 'LoginDto', 'RefreshDto', 'TokenPairDto', 'RegisteredDto', 'UserDto', 'AddMemberDto', 'UpdateMemberRoleDto', 'MemberListDto', 'CreateItemDto', 'UpdateItemDto', 'ItemDto', 'ItemPageDto', 'OrganizationDto']) {
      expect(doc.components.schemas).toHaveProperty(dto);
    }
  });

  it('sends a CSP that Swagger UI works under: own scripts, inline styles, data: images, no HTTPS upgrade', async () => {
    const res = await call(gw, 'GET', '/api-json');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('serves health and metrics without a token, with HTTP durations per route template', async () => {
    expect((await call(gw, 'GET', '/health/live')).status).toBe(200);
    expect((await call(gw, 'GET', '/health/ready')).status).toBe(200);
    const metrics = await call(gw, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/northstar_http_request_duration_seconds_count\{[^}]*route="\/items\/:id"[^}]*\}/);
    expect(metrics.text).toMatch(/outcome="TOKEN_INVALID"/);
  });

  it('sets helmet headers and allows CORS only for listed origins', async () => {
    const allowed = await call(gw, 'OPTIONS', '/items', { headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } });
    expect(allowed.headers['access-control-allow-origin']).toBe(ORIGIN);
    const other = await call(gw, 'GET', '/health/live', { headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['x-content-type-options']).toBe('nosniff');
  });

  it("sends helmet's headers on every answer, errors included", async () => {
    const token = await signAccessToken(key, caller('member'));
    for (const res of [await call(gw, 'GET', '/health/live'), await call(gw, 'GET', `/items/${randomUUID()}`, { token }), await call(gw, 'GET', '/nowhere'), await call(gw, 'GET', '/items')]) {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'referrer-policy': 'no-referrer',
        'x-dns-prefetch-control': 'off',
        'x-xss-protection': '0',
      });
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('reports not ready (503) while shutting down, still live', async () => {
    const probe = await startGateway({ MS_ONE_PORT: String(roadmap.port), MS_TWO_PORT: String(identity.port) });
    try {
      probe.gateway.lifecycle.markNotReady();
      expect((await call(probe, 'GET', '/health/ready')).status).toBe(503);
      expect((await call(probe, 'GET', '/health/live')).status).toBe(200);
      probe.gateway.lifecycle.startDraining();
      expectError(await call(probe, 'GET', '/items'), 503, 'SERVICE_UNAVAILABLE');
    } finally {
      await probe.close();
    }
  });
});

describe('log context', () => {
  /** Headers first, body 50 ms later: body parsing resumes the request from a socket event, outside any hook. */
  function postSlowly(url: string, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; requestId: string | undefined }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, requestId: res.headers[REQUEST_ID_HEADER] as string | undefined }));
      });
      req.on('error', reject);
      req.flushHeaders();
      setTimeout(() => req.end(body), 50);
    });
  }

  it('carries the request id into the envelope and into log lines written after a slow body and a TCP call', async () => {
    const fresh = await startGateway({ MS_ONE_PORT: String(roadmap.port), MS_TWO_PORT: String(identity.port) });
    try {
      const requestId = `ctx-${randomUUID()}`;
      const token = await signAccessToken(key, caller('member'));
      const res = await postSlowly(fresh.url, '/items', { authorization: `Bearer ${token}`, [REQUEST_ID_HEADER]: requestId }, JSON.stringify({ title: 'ctx' }));
      expect(res).toEqual({ status: 201, requestId });
      expect(roadmap.recorder.last('createItem')?.meta.requestId).toBe(requestId);
      // The first authenticated request loads the JWKS from inside the guard, after the body arrived.
      expect(fresh.logs.lines.find((l) => l['msg'] === 'JWKS loaded')).toMatchObject({ requestId });
    } finally {
      await fresh.close();
    }
  });
});

describe('throttling', () => {
  it('limits login and register more strictly (429 RATE_LIMITED), everything else by THROTTLE_LIMIT, never health', async () => {
    const t = await startGateway({ MS_ONE_PORT: String(roadmap.port), MS_TWO_PORT: String(identity.port), THROTTLE_AUTH_LIMIT: '2', THROTTLE_LIMIT: '4' });
    try {
      const login = () => call(t, 'POST', '/auth/login', { body: { email: 'ada@example.test', password: 'correct horse battery' } });
      expect((await login()).status).toBe(200);
      expect((await login()).status).toBe(200);
      const limited = await login();
      expectError(limited, 429, 'RATE_LIMITED');
      expect(limited.headers['retry-after']).toBeDefined();

      for (let i = 0; i < 10; i++) expect((await call(t, 'GET', '/health/live')).status).toBe(200);
      const token = await signAccessToken(key, caller('viewer'));
      // 3 logins already count against the default limit of 4.
      expect((await call(t, 'GET', '/items', { token })).status).toBe(200);
      expectError(await call(t, 'GET', '/items', { token }), 429, 'RATE_LIMITED');
      expect((await call(t, 'GET', '/metrics')).text).toMatch(/northstar_http_rate_limited_total\{[^}]*route="\/items"[^}]*\} 1/);
    } finally {
      await t.close();
    }
  });
});

describe('downstream failures', () => {
  it('answers 504 UPSTREAM_TIMEOUT when a service accepts but never answers, within RPC_TIMEOUT_MS', async () => {
    const silent = await startSilentServer();
    const t = await startGateway({ MS_ONE_PORT: String(silent.port), MS_TWO_PORT: String(identity.port), RPC_TIMEOUT_MS: '300' });
    try {
      const token = await signAccessToken(key, caller('member'));
      const started = Date.now();
      expectError(await call(t, 'GET', '/items', { token }), 504, 'UPSTREAM_TIMEOUT');
      expectError(await call(t, 'POST', '/items', { token, body: { title: 'x' } }), 504, 'UPSTREAM_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await t.close();
      await silent.close();
    }
  });

  it('answers 503 SERVICE_UNAVAILABLE when a service is stopped', async () => {
    const stoppedRoadmap = await startFakeRoadmap();
    const stoppedIdentity = await startFakeIdentity(() => [key.publicJwk]);
    const t = await startGateway({ MS_ONE_PORT: String(stoppedRoadmap.port), MS_TWO_PORT: String(stoppedIdentity.port), RPC_TIMEOUT_MS: '1000' });
    try {
      const token = await signAccessToken(key, caller('member'));
      expect((await call(t, 'GET', '/items', { token })).status).toBe(200);
      await stoppedIdentity.close();
      expectError(await call(t, 'POST', '/auth/login', { body: { email: 'a@example.test', password: 'x' } }), 503, 'SERVICE_UNAVAILABLE');
      // The keys fetched before keep verifying tokens while identity is away.
      expect((await call(t, 'GET', '/items', { token })).status).toBe(200);
      await stoppedRoadmap.close();
      expectError(await call(t, 'GET', '/items', { token }), 503, 'SERVICE_UNAVAILABLE');
    } finally {
      await t.close();
    }
  });

  it('answers 503 for authenticated routes when identity was never reachable (no keys to verify with)', async () => {
    const silent = await startSilentServer();
    const port = silent.port;
    await silent.close();
    const t = await startGateway({ MS_ONE_PORT: String(roadmap.port), MS_TWO_PORT: String(port), RPC_TIMEOUT_MS: '500' });
    try {
      expectError(await call(t, 'GET', '/items', { token: await signAccessToken(key, caller('owner')) }), 503, 'SERVICE_UNAVAILABLE');
    } finally {
      await t.close();
    }
  });
});

