import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import { Api, register } from './support/http.js';
import { ENGINE, Stack, freePort } from './support/stack.js';

let stack: Stack;
let api: Api;

beforeAll(async () => {
  stack = await Stack.start();
  api = new Api(stack.baseUrl);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

/** A TCP peer that accepts connections and reads, but never answers. */
async function blackHole(): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('data', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    server,
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe(`faults and operations on ${ENGINE}`, () => {
  it('carries one request id through the logs of all three services', async () => {
    const s = await register(api, 'trace');
    const requestId = `trace-${Date.now()}`;
    const created = await api.post('/items', { title: 'traced' }, { token: s.accessToken, headers: { 'x-request-id': requestId } });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe(requestId);
    await new Promise((r) => setTimeout(r, 300));
    const services = new Set(stack.logs.filter((l) => l.requestId === requestId).map((l) => l.service));
    expect([...services].sort()).toEqual(['gateway', 'identity', 'roadmap']);
  });

  it('answers 503 quickly while identity is down, and recovers with its data after a restart', async () => {
    const s = await register(api, 'restart');
    const item = await api.post('/items', { title: 'durable' }, { token: s.accessToken });
    expect(item.status).toBe(201);

    expect(await stack.stopService('identity')).toBe(0);
    const started = Date.now();
    const down = await api.post('/auth/login', { email: s.user.email, password: s.password });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(3000);

    await stack.startService('identity');
    let login = await api.post('/auth/login', { email: s.user.email, password: s.password });
    for (let i = 0; i < 50 && login.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      login = await api.post('/auth/login', { email: s.user.email, password: s.password });
    }
    expect(login.status).toBe(200);

    expect(await stack.stopService('roadmap')).toBe(0);
    await stack.startService('roadmap');
    let read = await api.get(`/items/${item.body['id'] as string}`, { token: login.body['accessToken'] as string });
    for (let i = 0; i < 50 && read.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      read = await api.get(`/items/${item.body['id'] as string}`, { token: login.body['accessToken'] as string });
    }
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ title: 'durable' });
  }, 120_000);

  it('answers 504 when a service accepts the call but never answers', async () => {
    const hole = await blackHole();
    const port = await freePort();
    try {
      await stack.startService('gateway', { PORT: String(port), MS_ONE_PORT: String(hole.port), RPC_TIMEOUT_MS: '500' }, 'gateway-504');
      const side = new Api(`http://127.0.0.1:${port}`);
      const s = await register(side, 'hang');
      const started = Date.now();
      const reply = await side.post('/items', { title: 'lost' }, { token: s.accessToken });
      expect(reply.status).toBe(504);
      expect(reply.body).toMatchObject({ statusCode: 504, code: 'UPSTREAM_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await stack.stopService('gateway-504');
      await hole.close();
    }
  }, 60_000);

  it('answers 429 once the login limit is spent', async () => {
    const port = await freePort();
    try {
      await stack.startService('gateway', { PORT: String(port), THROTTLE_AUTH_LIMIT: '3', THROTTLE_TTL_MS: '60000' }, 'gateway-429');
      const side = new Api(`http://127.0.0.1:${port}`);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await side.post('/auth/login', { email: 'nobody@example.test', password: 'wrong password' })).status);
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      const limited = await side.post('/auth/login', { email: 'nobody@example.test', password: 'wrong password' });
      expect(limited.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
      // Health is never rate limited.
      expect((await side.get('/health/ready')).status).toBe(200);
    } finally {
      await stack.stopService('gateway-429');
    }
  }, 60_000);

  it('exits 0 on SIGTERM', async () => {
    const port = await freePort();
    await stack.startService('gateway', { PORT: String(port) }, 'gateway-term');
    expect(await stack.stopService('gateway-term')).toBe(0);
  }, 60_000);
});
