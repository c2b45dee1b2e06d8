import { existsSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack } from '../../services/gateway/test/support/stack.js';
import { onParentGone, send, type FromStackHost, type ServiceName, type ToStackHost } from '../lib/ipc.js';

/**
 * Runs the real, built services through the integration tests' Stack harness, in a process
 * of its own: Stack parses every log line of the services, and at tens of thousands of
 * lines a second that work must not share an event loop with the load generators.
 *
 * Services start one at a time (roadmap, identity, gateway) so each time-to-ready is its own.
 * TEST_DATABASE_URL in this process's environment selects PostgreSQL, as in the tests.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const COMPILED_ROOT = resolve(HERE, '../..');
const REPO_ROOT = resolve(HERE, '../../../..');
const SERVICES: ServiceName[] = ['roadmap', 'identity', 'gateway'];

/**
 * Stack finds services/<name>/dist/main.js four directories above its own file; compiled
 * into bench/dist that is bench/dist, so the builds are linked there.
 */
function linkBuilds(): void {
  for (const name of SERVICES) {
    const real = join(REPO_ROOT, 'services', name, 'dist');
    const link = join(COMPILED_ROOT, 'services', name, 'dist');
    if (!existsSync(join(real, 'main.js'))) throw new Error(`services/${name}/dist/main.js is missing: run \`npm run build\` first`);
    let present = false;
    try {
      present = lstatSync(link).isSymbolicLink();
    } catch {
      // not there yet
    }
    if (!present) {
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(real, link, 'dir');
    }
  }
}

let stack: Stack | undefined;
let stopping: Promise<void> | undefined;

function stop(): Promise<void> {
  stopping ??= (async () => {
    try {
      await stack?.stop();
    } finally {
      await send<FromStackHost>({ type: 'stopped' });
      process.exit(0);
    }
  })();
  return stopping;
}

async function timedStart(s: Stack, name: ServiceName): Promise<number> {
  const started = performance.now();
  await s.startService(name);
  return performance.now() - started;
}

async function main(): Promise<void> {
  linkBuilds();
  // Production's level: the services log failures, the gateway one access line per request.
  process.env['STACK_LOG_LEVEL'] ??= 'info';
  // A limit far above any bench rate: the throttler still runs on every request.
  stack = await Stack.start({ THROTTLE_LIMIT: '1000000000', THROTTLE_AUTH_LIMIT: '1000000000' }, []);
  const s = stack;
  const readyMs = { roadmap: 0, identity: 0, gateway: 0 };
  for (const name of SERVICES) readyMs[name] = await timedStart(s, name);
  // The bench never reads the services' logs: they are drained as a container runtime would,
  // not parsed line by line on the cores the services run on.
  s.discardLogs();
  const pids = { roadmap: s.pid('roadmap') ?? 0, identity: s.pid('identity') ?? 0, gateway: s.pid('gateway') ?? 0 };
  await send<FromStackHost>({
    type: 'ready',
    engine: process.env['TEST_DATABASE_URL'] ? 'postgres' : 'pglite',
    baseUrl: s.baseUrl,
    webhookSecret: s.webhookSecret,
    ports: { roadmap: s.ports.roadmap, identity: s.ports.identity, gateway: s.ports.gateway },
    pids,
    readyMs,
  });

  process.on('message', (message: ToStackHost) => {
    switch (message.type) {
      case 'restart':
        void (async () => {
          try {
            await s.stopService(message.service);
            const ms = await timedStart(s, message.service);
            await send<FromStackHost>({ type: 'restarted', service: message.service, readyMs: ms, pid: s.pid(message.service) ?? 0 });
          } catch (error) {
            await send<FromStackHost>({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
          }
        })();
        break;
      case 'stop':
        void stop();
        break;
    }
  });
}

onParentGone(() => void stop());
main().catch(async (error: unknown) => {
  await send<FromStackHost>({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  await stop();
});
