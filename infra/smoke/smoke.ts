/**
 * Smoke test of a running Northstar: BASE_URL in, a readable report out, exit 1 on any
 * failure. Works against `make run`, a port-forwarded cluster, or anything in between.
 *
 *   BASE_URL=http://localhost:3001 node infra/smoke/dist/smoke.js
 */
import { randomUUID } from 'node:crypto';

const BASE_URL = (process.env['BASE_URL'] ?? 'http://localhost:3001').replace(/\/+$/, '');
const TIMEOUT_MS = Number(process.env['SMOKE_TIMEOUT_MS'] ?? 10_000);
const WAIT_READY_MS = Number(process.env['SMOKE_WAIT_READY_MS'] ?? 60_000);

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

class CheckFailed extends Error {}

async function call(method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text: text.slice(0, 200) };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

function expectStatus(reply: Reply, status: number, what: string): void {
  if (reply.status !== status) {
    throw new CheckFailed(`${what}: expected HTTP ${status}, got ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
  }
}

function expectThat(condition: boolean, message: string): void {
  if (!condition) throw new CheckFailed(message);
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new CheckFailed(`${what} is missing`);
  return value;
}

async function waitReady(): Promise<void> {
  const deadline = Date.now() + WAIT_READY_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const r = await call('GET', '/health/ready');
      if (r.status === 200) return;
      last = `HTTP ${r.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new CheckFailed(`gateway not ready at ${BASE_URL} within ${WAIT_READY_MS} ms (last: ${last}). Is it running / port-forwarded?`);
}

async function main(): Promise<number> {
  const email = `smoke-${randomUUID()}@example.test`;
  const password = `smoke-${randomUUID()}`;
  const state: { access?: string; refresh?: string; itemId?: string } = {};

  const checks: Array<[string, () => Promise<void>]> = [
    ['gateway is ready', waitReady],
    [
      'liveness answers 200',
      async () => expectStatus(await call('GET', '/health/live'), 200, 'GET /health/live'),
    ],
    [
      'OpenAPI document lists the items routes with bearer auth',
      async () => {
        const r = await call('GET', '/api-json');
        expectStatus(r, 200, 'GET /api-json');
        const paths = r.body['paths'] as Record<string, unknown> | undefined;
        expectThat(!!paths && '/items' in paths && '/auth/register' in paths, 'OpenAPI paths lack /items or /auth/register');
        expectThat(JSON.stringify(r.body['components'] ?? {}).includes('bearer'), 'OpenAPI declares no bearer auth');
      },
    ],
    [
      'register a new owner',
      async () => {
        const r = await call('POST', '/auth/register', { email, password, name: 'Smoke Test', organization: 'Smoke Org' });
        expectStatus(r, 201, 'POST /auth/register');
        expectThat((r.body['user'] as Record<string, unknown> | undefined)?.['role'] === 'owner', 'registered user is not owner');
      },
    ],
    [
      'log in',
      async () => {
        const r = await call('POST', '/auth/login', { email, password });
        expectStatus(r, 200, 'POST /auth/login');
        state.access = str(r.body['accessToken'], 'accessToken');
        state.refresh = str(r.body['refreshToken'], 'refreshToken');
      },
    ],
    [
      'create an item',
      async () => {
        const r = await call('POST', '/items', { title: 'Smoke item', reach: 100, impact: 1, confidence: 50, effort: 1 }, state.access);
        expectStatus(r, 201, 'POST /items');
        state.itemId = str(r.body['id'], 'item id');
        expectThat(r.body['score'] === 50, `score should be 50, got ${String(r.body['score'])}`);
      },
    ],
    [
      'list items',
      async () => {
        const r = await call('GET', '/items?limit=10', undefined, state.access);
        expectStatus(r, 200, 'GET /items');
        const items = r.body['items'] as Array<{ id: string }> | undefined;
        expectThat(!!items?.some((i) => i.id === state.itemId), 'created item is not listed');
      },
    ],
    [
      'update the item',
      async () => {
        const r = await call('PATCH', `/items/${state.itemId}`, { version: 1, status: 'planned' }, state.access);
        expectStatus(r, 200, 'PATCH /items/:id');
        expectThat(r.body['version'] === 2 && r.body['status'] === 'planned', 'update did not apply');
      },
    ],
    [
      'delete the item, then it is 404',
      async () => {
        expectStatus(await call('DELETE', `/items/${state.itemId}`, undefined, state.access), 204, 'DELETE /items/:id');
        const r = await call('GET', `/items/${state.itemId}`, undefined, state.access);
        expectStatus(r, 404, 'GET deleted item');
        expectThat(typeof r.body['requestId'] === 'string', '404 body carries no requestId');
      },
    ],
    [
      'refresh the session',
      async () => {
        const r = await call('POST', '/auth/refresh', { refreshToken: state.refresh });
        expectStatus(r, 200, 'POST /auth/refresh');
        str(r.body['accessToken'], 'refreshed accessToken');
      },
    ],
    [
      'no token is a 401',
      async () => expectStatus(await call('GET', '/items'), 401, 'GET /items without a token'),
    ],
    [
      'request id is echoed',
      async () => {
        const id = `smoke-${randomUUID()}`;
        const r = await call('GET', '/health/live', undefined, undefined, { 'x-request-id': id });
        expectThat(r.headers.get('x-request-id') === id, `x-request-id not echoed (got ${r.headers.get('x-request-id')})`);
      },
    ],
  ];

  process.stdout.write(`Smoke test against ${BASE_URL}\n`);
  let passed = 0;
  let failed = 0;
  for (const [name, check] of checks) {
    const started = Date.now();
    try {
      await check();
      passed++;
      process.stdout.write(`  ok    ${name} (${Date.now() - started} ms)\n`);
    } catch (error) {
      failed++;
      const message = error instanceof CheckFailed ? error.message : `unexpected error: ${(error as Error).message}`;
      process.stdout.write(`  FAIL  ${name}: ${message}\n`);
      // Later steps build on earlier ones; their failures would only repeat this one.
      const rest = checks.slice(checks.findIndex(([n]) => n === name) + 1);
      for (const [skipped] of rest) process.stdout.write(`  skip  ${skipped}\n`);
      break;
    }
  }
  process.stdout.write(`smoke: ${passed} passed, ${failed} failed\n`);
  return failed === 0 && passed === checks.length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stdout.write(`smoke: crashed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
