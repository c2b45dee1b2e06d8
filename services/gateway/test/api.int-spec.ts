import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api, register, signWebhook, uniqueEmail, type Session } from './support/http.js';
import { ENGINE, Stack } from './support/stack.js';
import { algNone, decodePayload, forgeWithRealKey, withPayload } from './support/tokens.js';

let stack: Stack;
let api: Api;

beforeAll(async () => {
  stack = await Stack.start();
  api = new Api(stack.baseUrl);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

function expectError(reply: { status: number; body: Record<string, unknown>; headers: Headers }, status: number, code?: string) {
  expect(reply.status).toBe(status);
  expect(reply.body).toMatchObject({ statusCode: status, requestId: reply.headers.get('x-request-id') });
  expect(typeof reply.body['error']).toBe('string');
  expect(reply.body['message']).toBeDefined();
  if (code) expect(reply.body['code']).toBe(code);
}

describe(`the public API on ${ENGINE}`, () => {
  describe('auth', () => {
    it('registers an owner of a new organization and logs in', async () => {
      const email = uniqueEmail('reg');
      const reg = await api.post('/auth/register', { email, password: 'correct horse battery', name: 'Ada', organization: 'Analytical' });
      expect(reg.status).toBe(201);
      expect(reg.body).toMatchObject({ user: { email, name: 'Ada', role: 'owner' } });
      expect(reg.body['accessToken']).toEqual(expect.any(String));
      expect(reg.body['refreshToken']).toEqual(expect.any(String));

      const login = await api.post('/auth/login', { email, password: 'correct horse battery' });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: expect.any(Number) });

      const me = await api.get('/auth/me', { token: login.body['accessToken'] as string });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ email, role: 'owner', organizationId: (reg.body['user'] as Record<string, unknown>)['organizationId'] });
    });

    it('refuses a duplicate email with 409, whatever its case', async () => {
      const email = uniqueEmail('dup');
      expect((await api.post('/auth/register', { email, password: 'correct horse battery', name: 'A', organization: 'A' })).status).toBe(201);
      const again = await api.post('/auth/register', { email: email.toUpperCase(), password: 'correct horse battery', name: 'B', organization: 'B' });
      expectError(again, 409, 'EMAIL_TAKEN');
    });

    it('refuses a wrong password and an unknown user alike with 401', async () => {
      const s = await register(api, 'pw');
      const wrong = await api.post('/auth/login', { email: s.user.email, password: 'wrong password!!' });
      const unknown = await api.post('/auth/login', { email: uniqueEmail('ghost'), password: 'whatever password' });
      expectError(wrong, 401, 'INVALID_CREDENTIALS');
      expectError(unknown, 401, 'INVALID_CREDENTIALS');
      expect(wrong.body['message']).toEqual(unknown.body['message']);
    });

    it('rotates refresh tokens; reusing a spent one revokes the whole family', async () => {
      const s = await register(api, 'rot');
      const first = await api.post('/auth/refresh', { refreshToken: s.refreshToken });
      expect(first.status).toBe(200);
      const second = await api.post('/auth/refresh', { refreshToken: first.body['refreshToken'] });
      expect(second.status).toBe(200);

      const reuse = await api.post('/auth/refresh', { refreshToken: s.refreshToken });
      expectError(reuse, 401, 'TOKEN_REUSED');
      // The thief's reuse also kills the legitimate newest token of that session.
      const newest = await api.post('/auth/refresh', { refreshToken: second.body['refreshToken'] });
      expectError(newest, 401);
    });

    it('logs out: 204, and the session can no longer be refreshed', async () => {
      const s = await register(api, 'out');
      const out = await api.post('/auth/logout', undefined, { token: s.accessToken });
      expect(out.status).toBe(204);
      expectError(await api.post('/auth/refresh', { refreshToken: s.refreshToken }), 401);
    });

    it('answers 401 for a missing, expired, tampered, alg:none or wrong-audience token', async () => {
      const s = await register(api, 'jwt');
      const claims = decodePayload(s.accessToken) as { sub: string; org: string; role: string; sid: string };
      const now = Math.floor(Date.now() / 1000);
      // Control: a token forged the same way but valid is accepted, so the rejections below are for the stated reason.
      const valid = await forgeWithRealKey(stack.jwtKeyPem, claims, now + 300);
      expect((await api.get('/auth/me', { token: valid })).status).toBe(200);

      expectError(await api.get('/auth/me'), 401);
      expectError(await api.get('/auth/me', { token: await forgeWithRealKey(stack.jwtKeyPem, claims, now - 10) }), 401);
      expectError(await api.get('/auth/me', { token: withPayload(s.accessToken, { role: 'owner', org: '00000000-0000-4000-8000-000000000000' }) }), 401);
      expectError(await api.get('/auth/me', { token: algNone(s.accessToken) }), 401);
      expectError(await api.get('/auth/me', { token: await forgeWithRealKey(stack.jwtKeyPem, claims, now + 300, 'someone-else') }), 401);
      expectError(await api.get('/items', { headers: { authorization: 'Basic abc' } }), 401);
    });
  });

  describe('validation', () => {
    it('refuses unknown fields and malformed JSON with 400', async () => {
      const s = await register(api, 'val');
      const unknown = await api.post('/items', { title: 'ok', owner: 'me' }, { token: s.accessToken });
      expectError(unknown, 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(unknown.body['message'])).toContain('owner');
      expectError(await api.post('/items', undefined, { token: s.accessToken, raw: '{"title": ' }), 400);
      expectError(await api.post('/auth/register', { email: 'not-an-email', password: 'short', name: '', organization: 'x' }), 400, 'VALIDATION_FAILED');
      expectError(await api.get('/items/not-a-uuid', { token: s.accessToken }), 400);
    });

    it('refuses a body over 1 MiB with 413', async () => {
      const s = await register(api, 'big');
      const reply = await api.post('/items', { title: 'big', description: 'x'.repeat(1024 * 1024 + 100) }, { token: s.accessToken });
      expectError(reply, 413);
    });
  });

  describe('items', () => {
    let owner: Session;
    let other: Session;

    beforeAll(async () => {
      owner = await register(api, 'items');
      other = await register(api, 'rival');
    });

    it('creates, reads, lists, updates and deletes an item', async () => {
      const created = await api.post('/items', { title: 'SSO', reach: 500, impact: 2, confidence: 80, effort: 4 }, { token: owner.accessToken });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ title: 'SSO', status: 'idea', score: 200, version: 1 });
      const id = created.body['id'] as string;

      expect((await api.get(`/items/${id}`, { token: owner.accessToken })).body).toMatchObject({ id, title: 'SSO' });
      const list = await api.get<{ items: Array<{ id: string }>; nextCursor: string | null }>('/items?status=idea&limit=10', { token: owner.accessToken });
      expect(list.status).toBe(200);
      expect(list.body.items.map((i) => i.id)).toContain(id);

      const updated = await api.patch(`/items/${id}`, { version: 1, status: 'planned' }, { token: owner.accessToken });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ status: 'planned', version: 2 });

      expect((await api.delete(`/items/${id}`, { token: owner.accessToken })).status).toBe(204);
      expectError(await api.get(`/items/${id}`, { token: owner.accessToken }), 404);
    });

    it('pages with a cursor', async () => {
      const s = await register(api, 'pages');
      for (let i = 0; i < 3; i++) await api.post('/items', { title: `p${i}` }, { token: s.accessToken });
      const first = await api.get<{ items: Array<{ title: string }>; nextCursor: string }>('/items?limit=2', { token: s.accessToken });
      expect(first.body.items.map((i) => i.title)).toEqual(['p2', 'p1']);
      const second = await api.get<{ items: Array<{ title: string }>; nextCursor: string | null }>(
        `/items?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
        { token: s.accessToken },
      );
      expect(second.body.items.map((i) => i.title)).toEqual(['p0']);
      expect(second.body.nextCursor).toBeNull();
    });

    it('answers 404, never 403, for another organization\'s item on read, update and delete', async () => {
      const created = await api.post('/items', { title: 'private' }, { token: owner.accessToken });
      const id = created.body['id'] as string;
      expectError(await api.get(`/items/${id}`, { token: other.accessToken }), 404);
      expectError(await api.patch(`/items/${id}`, { version: 1, title: 'stolen' }, { token: other.accessToken }), 404);
      expectError(await api.delete(`/items/${id}`, { token: other.accessToken }), 404);
      expect((await api.get(`/items/${id}`, { token: owner.accessToken })).body).toMatchObject({ title: 'private', version: 1 });
    });

    it('answers 409 for a stale version', async () => {
      const created = await api.post('/items', { title: 'v' }, { token: owner.accessToken });
      const id = created.body['id'] as string;
      expect((await api.patch(`/items/${id}`, { version: 1, title: 'v2' }, { token: owner.accessToken })).status).toBe(200);
      expectError(await api.patch(`/items/${id}`, { version: 1, title: 'late' }, { token: owner.accessToken }), 409, 'VERSION_CONFLICT');
    });
  });

  describe('members', () => {
    it('lets an owner add a viewer, who may read items but not write them (403)', async () => {
      const s = await register(api, 'team');
      const item = await api.post('/items', { title: 'shared' }, { token: s.accessToken });
      const viewerEmail = uniqueEmail('viewer');
      const added = await api.post('/members', { email: viewerEmail, name: 'Vi', password: 'viewer password 1', role: 'viewer' }, { token: s.accessToken });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ email: viewerEmail, role: 'viewer', organizationId: s.user.organizationId });

      const login = await api.post('/auth/login', { email: viewerEmail, password: 'viewer password 1' });
      const viewer = login.body['accessToken'] as string;
      expect((await api.get(`/items/${item.body['id'] as string}`, { token: viewer })).status).toBe(200);
      expectError(await api.post('/items', { title: 'nope' }, { token: viewer }), 403);
      expectError(await api.delete(`/items/${item.body['id'] as string}`, { token: viewer }), 403);
      expectError(await api.post('/members', { email: uniqueEmail('x'), name: 'X', password: 'xxxxxxxxxxxx', role: 'member' }, { token: viewer }), 403);

      const members = await api.get<Record<string, unknown>>('/members', { token: s.accessToken });
      expect(members.status).toBe(200);
      expect(JSON.stringify(members.body)).toContain(viewerEmail);
    });

    it('protects the last owner from demotion and removal (409), and removes others (204)', async () => {
      const s = await register(api, 'owner');
      expectError(await api.patch(`/members/${s.user.id}`, { role: 'admin' }, { token: s.accessToken }), 409, 'LAST_OWNER');
      expectError(await api.delete(`/members/${s.user.id}`, { token: s.accessToken }), 409, 'LAST_OWNER');

      const added = await api.post('/members', { email: uniqueEmail('m'), name: 'M', password: 'member password', role: 'member' }, { token: s.accessToken });
      const memberId = added.body['id'] as string;
      const promoted = await api.patch(`/members/${memberId}`, { role: 'admin' }, { token: s.accessToken });
      expect(promoted.status).toBe(200);
      expect(promoted.body).toMatchObject({ role: 'admin' });
      expect((await api.delete(`/members/${memberId}`, { token: s.accessToken })).status).toBe(204);
    });

    it('hides another organization\'s member as 404', async () => {
      const a = await register(api, 'orga');
      const b = await register(api, 'orgb');
      expectError(await api.delete(`/members/${b.user.id}`, { token: a.accessToken }), 404);
    });
  });

  describe('billing webhook', () => {
    it('applies a signed subscription.updated once; bad and replayed signatures change nothing', async () => {
      const s = await register(api, 'bill');
      const plan = async () => (await api.get('/organization', { token: s.accessToken })).body['plan'];
      expect(await plan()).toBe('free');

      const event = (id: string, p: string) => JSON.stringify({ id, type: 'subscription.updated', data: { organizationId: s.user.organizationId, plan: p } });

      const forged = event('evt_forged', 'enterprise');
      const bad = await api.post('/webhook/billing', undefined, { raw: forged, headers: { 'x-northstar-signature': signWebhook('wrong-secret', forged) } });
      expect([400, 401]).toContain(bad.status);
      const stale = await api.post('/webhook/billing', undefined, {
        raw: forged,
        headers: { 'x-northstar-signature': signWebhook(stack.webhookSecret, forged, Math.floor(Date.now() / 1000) - 600) },
      });
      expect([400, 401]).toContain(stale.status);
      expect(await plan()).toBe('free');

      const good = event('evt_1', 'pro');
      const signature = signWebhook(stack.webhookSecret, good);
      const ok = await api.post('/webhook/billing', undefined, { raw: good, headers: { 'x-northstar-signature': signature } });
      expect(ok.status).toBe(200);
      for (let i = 0; i < 50 && (await plan()) !== 'pro'; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await plan()).toBe('pro');

      const replay = await api.post('/webhook/billing', undefined, { raw: good, headers: { 'x-northstar-signature': signature } });
      expect(replay.status).toBeGreaterThanOrEqual(400);
      expect(replay.status).toBeLessThan(500);

      // A later event wins; the first event re-sent with a fresh signature (as another gateway replica would see it) applies nothing.
      const upgrade = event('evt_2', 'enterprise');
      expect((await api.post('/webhook/billing', undefined, { raw: upgrade, headers: { 'x-northstar-signature': signWebhook(stack.webhookSecret, upgrade) } })).status).toBe(200);
      for (let i = 0; i < 50 && (await plan()) !== 'enterprise'; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await plan()).toBe('enterprise');
      const resent = await api.post('/webhook/billing', undefined, { raw: good, headers: { 'x-northstar-signature': signWebhook(stack.webhookSecret, good, Math.floor(Date.now() / 1000) + 1) } });
      expect(resent.status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      expect(await plan()).toBe('enterprise');
    });

    it("refuses a free organization's 101st item with 403, and takes the next one once billing upgraded the plan", async () => {
      const s = await register(api, 'limit');
      for (let i = 0; i < 100; i += 10) {
        const batch = await Promise.all(Array.from({ length: 10 }, (_, j) => api.post('/items', { title: `item ${i + j}` }, { token: s.accessToken })));
        expect(batch.map((r) => r.status)).toEqual(Array(10).fill(201));
      }
      expectError(await api.post('/items', { title: 'one too many' }, { token: s.accessToken }), 403, 'PLAN_LIMIT_REACHED');

      const upgrade = JSON.stringify({ id: `evt_${s.user.organizationId}`, type: 'subscription.updated', data: { organizationId: s.user.organizationId, plan: 'pro' } });
      const ok = await api.post('/webhook/billing', undefined, { raw: upgrade, headers: { 'x-northstar-signature': signWebhook(stack.webhookSecret, upgrade) } });
      expect(ok.status).toBe(200);
      // identity applies the event a moment after the 200; until then the gateway asks it at each create.
      let created = 0;
      for (let i = 0; i < 50 && created !== 201; i++) {
        created = (await api.post('/items', { title: 'on pro' }, { token: s.accessToken })).status;
        if (created !== 201) await new Promise((r) => setTimeout(r, 100));
      }
      expect(created).toBe(201);
      const first = await api.get('/items?limit=100', { token: s.accessToken });
      const rest = await api.get(`/items?limit=100&cursor=${encodeURIComponent(first.body['nextCursor'] as string)}`, { token: s.accessToken });
      expect([(first.body['items'] as unknown[]).length, (rest.body['items'] as unknown[]).length]).toEqual([100, 1]);
    }, 30_000);
  });

  describe('documentation and operations', () => {
    it('publishes an OpenAPI document with bearer auth and every route', async () => {
      const doc = await api.get<{ paths: Record<string, Record<string, unknown>>; components: Record<string, Record<string, unknown>> }>('/api-json');
      expect(doc.status).toBe(200);
      const routes = Object.entries(doc.body.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      for (const route of [
        'POST /auth/register',
        'POST /auth/login',
        'POST /auth/refresh',
        'POST /auth/logout',
        'GET /auth/me',
        'GET /members',
        'POST /members',
        'PATCH /members/{id}',
        'DELETE /members/{id}',
        'POST /items',
        'GET /items',
        'GET /items/{id}',
        'PATCH /items/{id}',
        'DELETE /items/{id}',
        'POST /webhook/billing',
      ]) {
        expect(routes).toContain(route);
      }
      expect(Object.values(doc.body.components['securitySchemes'] ?? {})).toContainEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
      expect(Object.keys(doc.body.components['schemas'] ?? {})).toEqual(expect.arrayContaining(['CreateItemDto', 'UpdateItemDto', 'RegisterDto', 'ItemDto']));
      expect((await api.get('/api')).status).toBe(200);
    });

    it('echoes a sane x-request-id and makes one up otherwise', async () => {
      const echoed = await api.get('/health/live', { headers: { 'x-request-id': 'trace-me-123' } });
      expect(echoed.headers.get('x-request-id')).toBe('trace-me-123');
      const made = await api.get('/health/live');
      expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('serves health and Prometheus metrics', async () => {
      expect((await api.get('/health/live')).status).toBe(200);
      expect((await api.get('/health/ready')).status).toBe(200);
      const metrics = await fetch(`${stack.baseUrl}/metrics`).then((r) => r.text());
      expect(metrics).toContain('northstar_http_request_duration_seconds');
    });
  });
});
