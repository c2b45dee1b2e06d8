import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api, register, signWebhook, type Session } from '../../gateway/test/support/http.js';
import { ENGINE, Stack, freePort } from '../../gateway/test/support/stack.js';

/**
 * Two roadmap instances behind one name (127.0.0.2 and 127.0.0.3, the same port), the
 * gateway spreading calls over both. One gets SIGTERM in the middle of steady load:
 * not a single request may fail at the gateway.
 */
let stack: Stack;
let api: Api;
let session: Session;
let tcpPort: number;
const healthPorts: Record<string, number> = {};

function roadmapEnv(host: string, key: string, dataDir: string): Record<string, string> {
  return {
    MS_HOST: host,
    MS_PORT: String(tcpPort),
    HEALTH_PORT: String(healthPorts[key]),
    SHUTDOWN_DELAY_MS: '500',
    // On PGlite each instance has its own files; on PostgreSQL both share the database.
    DATA_DIR: dataDir,
  };
}

beforeAll(async () => {
  stack = await Stack.start({}, ['identity']);
  tcpPort = await freePort('127.0.0.2');
  healthPorts['roadmap-a'] = await freePort('127.0.0.2');
  healthPorts['roadmap-b'] = await freePort('127.0.0.3');
  const base = stack.envFor('roadmap')['DATA_DIR'] ?? '';
  await stack.startService('roadmap', roadmapEnv('127.0.0.2', 'roadmap-a', `${base}-a`), 'roadmap-a');
  await stack.startService('roadmap', roadmapEnv('127.0.0.3', 'roadmap-b', `${base}-b`), 'roadmap-b');
  await stack.startService('gateway', { MS_ONE_HOST: '127.0.0.2,127.0.0.3', MS_ONE_PORT: String(tcpPort) });
  api = new Api(stack.baseUrl);
  session = await register(api, 'rolling');
  // Lift the free plan's item allowance: the load below creates many items.
  const body = JSON.stringify({ id: `evt_${Date.now()}`, type: 'subscription.updated', data: { organizationId: session.user.organizationId, plan: 'enterprise' } });
  await api.post('/webhook/billing', undefined, { raw: body, headers: { 'x-northstar-signature': signWebhook(stack.webhookSecret, body) } });
  for (let i = 0; i < 50 && (await api.get('/organization', { token: session.accessToken })).body['plan'] !== 'enterprise'; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe(`rolling shutdown of roadmap on ${ENGINE}`, () => {
  it('drops no request when one of two instances gets SIGTERM under load', async () => {
    const statuses: number[] = [];
    const failures: string[] = [];
    let stop = false;
    const worker = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const reply =
          (i + n) % 2 === 0
            ? await api.post('/items', { title: `load ${n}-${i}` }, { token: session.accessToken })
            : await api.get('/items?limit=5', { token: session.accessToken });
        statuses.push(reply.status);
        if (reply.status >= 300) failures.push(`${reply.status} ${JSON.stringify(reply.body)}`);
      }
    };
    const workers = Array.from({ length: 8 }, (_, n) => worker(n));

    await new Promise((r) => setTimeout(r, 1500));
    const before = statuses.length;
    const exit = stack.stopService('roadmap-a');
    await new Promise((r) => setTimeout(r, 3000));
    stop = true;
    await Promise.all(workers);

    expect(await exit).toBe(0);
    expect(failures).toEqual([]);
    expect(before).toBeGreaterThan(20);
    expect(statuses.length - before).toBeGreaterThan(20);
    const logs = stack.logs.filter((l) => l.msg === 'message handled');
    expect(logs.length).toBeGreaterThan(0);
  }, 60_000);
});
