import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { Metrics, RpcClientPool } from '@northstar/common';
import { ROADMAP_PATTERNS, envelope, type Caller, type ItemDto, type MessagePattern } from '@northstar/contracts';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { firstValueFrom } from 'rxjs';
import { Api, register, signWebhook, type Session } from '../services/gateway/test/support/http.js';
import { measureHttp, type HttpLoad } from './lib/http-load.js';
import { Child, type FromBaselines, type FromSeed, type FromStackHost, type ServiceName, type ToBaselines, type ToSeed, type ToStackHost } from './lib/ipc.js';
import { ratio, resultsTable, startupTable, verdictList, type Group, type Row, type StartupRow, type Verdict } from './lib/report.js';
import { markdown } from './lib/markdown.js';
import { RawHttpGetClient } from './lib/raw-http.js';
import { RawFrameClient, measureClosed, pacedLoop, type Call } from './lib/tcp-load.js';
import type { LoadResult } from './lib/stats.js';
import { freePort } from '../services/gateway/test/support/stack.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../../..');
const RESULTS = join(REPO, 'bench', 'results');
/** The command as run, with the settings that were overridden (the database URL's secret left out). */
const COMMAND = [
  ...Object.keys(process.env)
    .filter((k) => k.startsWith('BENCH_'))
    .sort()
    .map((k) => `${k}=${process.env[k]}`),
  ...(process.env['TEST_DATABASE_URL'] ? ['TEST_DATABASE_URL=$(infra/dev/postgres.sh start)'] : []),
  'npm run bench',
].join(' ');

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
  return n;
};

/** Measured seconds per main scenario; warm-ups and the payload sweep are derived from it. */
const SECONDS = num('BENCH_SECONDS', 3);
const WARMUP = num('BENCH_WARMUP_SECONDS', Math.max(1, Math.round(SECONDS / 2)));
const SWEEP_SECONDS = Math.max(2, Math.round(SECONDS * 0.75));
const SWEEP_WARMUP = Math.max(1, Math.round(WARMUP / 2));
const CONNECTIONS = Math.round(num('BENCH_CONNECTIONS', 32));
/** Lower than CONNECTIONS so that 1 MiB replies measure payload cost, not overload (see latest.md). */
const SWEEP_CONNECTIONS = Math.round(num('BENCH_SWEEP_CONNECTIONS', 4));
/** The rows the targets compare run this many times, interleaved; the median counts. */
const ROUNDS = Math.round(num('BENCH_ROUNDS', 3));
/**
 * Sockets the paced gateway GET of the hop may open. The direct call multiplexes one socket;
 * with only CONNECTIONS, requests due during a stall waited for a free socket in the load
 * generator (hop p99 median +8.1 / +6.0 ms at 32 sockets, +3.8 / +1.6 ms at 128, side runs).
 */
const HOP_SOCKETS = 4 * CONNECTIONS;
const IN_FLIGHT = [1, CONNECTIONS, 64].filter((n, i, a) => a.indexOf(n) === i).sort((a, b) => a - b);
const SETTINGS =
  `${SECONDS} s measured after ${WARMUP} s warm-up per scenario at ${CONNECTIONS} connections; ` +
  `payload sweep ${SWEEP_SECONDS} s after ${SWEEP_WARMUP} s at ${SWEEP_CONNECTIONS} connections; ` +
  `the rows the targets compare (gateway and seed GET/POST /items, bare Nest and raw TCP, the hop pair) ${ROUNDS} times, interleaved and rotated, median shown`;

const SERVICES: ServiceName[] = ['roadmap', 'identity', 'gateway'];

function preflight(): void {
  const missing = SERVICES.filter((s) => !existsSync(join(REPO, 'services', s, 'dist', 'main.js')));
  if (missing.length > 0) {
    process.stderr.write(`bench: ${missing.map((s) => `services/${s}/dist/main.js`).join(', ')} missing. Run \`npm run build\` first.\n`);
    process.exit(1);
  }
}

function rssMiB(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

const CLK_TCK = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in clock ticks. */
function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

const log = (line: string): void => void process.stdout.write(`${line}\n`);

/** Everything the bench starts, stopped in reverse order whatever happens. */
const cleanups: Array<{ name: string; run: () => Promise<void> }> = [];
async function cleanup(): Promise<void> {
  for (const { name, run } of cleanups.splice(0).reverse()) {
    try {
      await run();
    } catch (error) {
      process.stderr.write(`bench: stopping ${name} failed: ${String(error)}\n`);
    }
  }
}
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
process.once('SIGTERM', () => void cleanup().finally(() => process.exit(143)));

interface StackInfo {
  host: Child<ToStackHost, FromStackHost>;
  ready: Extract<FromStackHost, { type: 'ready' }>;
  startup: Map<ServiceName, StartupEntry>;
}

interface StartupEntry {
  fresh: number;
  restart: number | null;
  idleRss: number | null;
  idleRssRestart: number | null;
  pid: number;
}

/** Starts the three services, takes idle RSS, then restarts the two with data (not the gateway) to time a warm start. */
async function startStack(engine: 'pglite' | 'postgres', keep: boolean): Promise<StackInfo> {
  const env = engine === 'pglite' ? { TEST_DATABASE_URL: undefined } : {};
  const host = Child.fork<ToStackHost, FromStackHost>(`stack (${engine})`, 'stack-host', env);
  const stop = { name: `stack (${engine})`, run: () => host.stop({ type: 'stop' }, 30_000) };
  cleanups.push(stop);
  const ready = await host.next('ready', 180_000);
  await sleep(2000);
  const startup = new Map<ServiceName, StartupEntry>();
  for (const s of SERVICES) startup.set(s, { fresh: ready.readyMs[s], restart: null, idleRss: rssMiB(ready.pids[s]), idleRssRestart: null, pid: ready.pids[s] });
  for (const s of ['roadmap', 'identity'] as const) {
    host.send({ type: 'restart', service: s });
    const restarted = await host.next('restarted', 120_000);
    const entry = startup.get(s)!;
    entry.restart = restarted.readyMs;
    entry.pid = restarted.pid;
  }
  await sleep(2000);
  for (const e of startup.values()) e.idleRssRestart = rssMiB(e.pid);
  const fmt = (pick: (e: StartupEntry) => number | null, unit: string, scale = 1) =>
    SERVICES.flatMap((s) => {
      const value = pick(startup.get(s)!);
      return value === null ? [] : [`${s} ${(value / scale).toFixed(unit === 's' ? 2 : 0)} ${unit}`];
    }).join(', ');
  log(`  ${engine}: ready in ${fmt((e) => e.fresh, 's', 1000)}; restarted in ${fmt((e) => e.restart, 's', 1000)}`);
  log(`  ${engine}: idle RSS ${fmt((e) => e.idleRss, 'MiB')}; after restart ${fmt((e) => e.idleRssRestart, 'MiB')}`);
  if (!keep) {
    cleanups.splice(cleanups.indexOf(stop), 1);
    await stop.run();
  }
  return { host, ready, startup };
}

async function rawGet(url: string, token: string): Promise<string> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

async function upgradeToEnterprise(api: Api, secret: string, session: Session): Promise<void> {
  const body = JSON.stringify({ id: `evt_bench_${randomUUID()}`, type: 'subscription.updated', data: { organizationId: session.user.organizationId, plan: 'enterprise' } });
  const res = await api.post('/webhook/billing', undefined, { raw: body, headers: { 'x-northstar-signature': signWebhook(secret, body) } });
  if (res.status !== 200) throw new Error(`billing webhook: ${res.status} ${JSON.stringify(res.body)}`);
  for (let i = 0; i < 100; i++) {
    if ((await api.get('/organization', { token: session.accessToken })).body['plan'] === 'enterprise') return;
    await sleep(100);
  }
  throw new Error('the organization did not move to the enterprise plan');
}

async function createItems(api: Api, token: string, bodies: object[], parallel = 4): Promise<ItemDto[]> {
  const out: ItemDto[] = [];
  for (let i = 0; i < bodies.length; i += parallel) {
    const batch = await Promise.all(bodies.slice(i, i + parallel).map((b) => api.post<ItemDto>('/items', b, { token })));
    for (const res of batch) {
      if (res.status !== 201) throw new Error(`POST /items: ${res.status} ${JSON.stringify(res.body)}`);
      out.push(res.body);
    }
  }
  return out;
}

const signed = (n: number): string => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(2)}`;
const kib = (bytes: number): string => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(2)} MiB`);

/** Nest's TCP frame for a call, as ClientTCP writes it (length#json): sizes the raw-socket frames. */
function nestFrameBytes(pattern: MessagePattern, data: unknown): number {
  const json = JSON.stringify({ pattern: JSON.stringify(pattern), data, id: randomUUID() });
  return Buffer.byteLength(json) + String(Buffer.byteLength(json)).length + 1;
}
function nestReplyBytes(responseJson: string): number {
  const json = `{"response":${responseJson},"isDisposed":true,"id":"${randomUUID()}"}`;
  return Buffer.byteLength(json) + String(Buffer.byteLength(json)).length + 1;
}

interface Planned {
  id: string;
  group: Group;
  scenario: string;
  route: string;
  baseline?: string;
  ceiling?: string;
  note?: string;
  run: () => Promise<LoadResult>;
  /** Load run at the same time as `run`, in the same window, reported as a row of its own. */
  alongside?: { id: string; scenario: string; route: string; run: () => Promise<LoadResult> };
}

async function main(): Promise<void> {
  preflight();
  const started = new Date();
  const sha = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  const engine = process.env['TEST_DATABASE_URL'] ? 'postgres' : 'pglite';
  const loadAtStart = loadavg();
  log(`northstar bench · ${started.toISOString()} · ${sha}${dirty ? ' (+ uncommitted changes)' : ''} · node ${process.version} · ${cpus().length} CPUs · load ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}`);
  log(`  ${SETTINGS}; engine ${engine}`);

  // 1. Start-up: RSS and time-to-ready. The PGlite-only stack runs first, while nothing else does.
  log('\n== start-up');
  const startupRows: StartupRow[] = [];
  const toRows = (eng: string, info: StackInfo): StartupRow[] =>
    SERVICES.map((s) => {
      const e = info.startup.get(s)!;
      return { engine: eng, service: s, readyFreshMs: e.fresh, readyRestartMs: e.restart, idleRssMiB: e.idleRss, idleRssRestartMiB: e.idleRssRestart, afterLoadRssMiB: null };
    });
  if (engine === 'postgres') startupRows.push(...toRows('pglite', await startStack('pglite', false)));
  const stack = await startStack(engine, true);
  const mainRows = toRows(engine, stack);
  startupRows.push(...mainRows);

  // 2. Data: a user on the enterprise plan (no item limit for the write scenarios), one small
  // item to read, and 100 items with the largest description for the big pages.
  log('\n== setup');
  const api = new Api(stack.ready.baseUrl);
  const session = await register(api, 'bench');
  const token = session.accessToken;
  await upgradeToEnterprise(api, stack.ready.webhookSecret, session);
  const caller: Caller = { userId: session.user.id, organizationId: session.user.organizationId, role: session.user.role as Caller['role'] };
  const [item] = await createItems(api, token, [
    { title: 'Single sign-on', description: 'Members sign in with the company identity provider.', reach: 500, impact: 2, confidence: 80, effort: 3 },
  ]);
  const itemPath = `/items/${item!.id}`;
  await createItems(
    api,
    token,
    Array.from({ length: 100 }, (_, i) => ({ title: `Large item ${i}`, description: 'd'.repeat(10_000), status: 'planned' })),
  );
  const postBody = JSON.stringify({ title: 'Bench item', description: 'Written by the benchmark', reach: 100, impact: 1, confidence: 50, effort: 1 });
  const postBodyLarge = JSON.stringify({ title: 'Bench item', description: 'p'.repeat(10_000) });

  const sweepQueries: Array<{ path: string; query: { status: string; limit: number } }> = [
    { path: '/items?status=done&limit=1', query: { status: 'done', limit: 1 } },
    { path: '/items?status=planned&limit=1', query: { status: 'planned', limit: 1 } },
    { path: '/items?status=planned&limit=10', query: { status: 'planned', limit: 10 } },
    { path: '/items?status=planned&limit=100', query: { status: 'planned', limit: 100 } },
  ];
  const gwBase = stack.ready.baseUrl;
  const bodies: Record<string, string> = { [itemPath]: await rawGet(`${gwBase}${itemPath}`, token) };
  for (const q of sweepQueries) bodies[q.path] = await rawGet(`${gwBase}${q.path}`, token);
  const size = (path: string) => Buffer.byteLength(bodies[path]!);
  log(`  user ${session.user.email}, item ${item!.id} (${size(itemPath)} B), pages ${sweepQueries.map((q) => kib(size(q.path))).join(', ')}`);

  // 3. The comparison servers.
  const baselines = Child.fork<ToBaselines, FromBaselines>('baselines', 'baselines', {});
  cleanups.push({ name: 'baselines', run: () => baselines.stop({ type: 'stop' }) });
  const listening = await baselines.next('listening');
  baselines.send({ type: 'bodies', bodies });
  await baselines.next('bodies-set');
  const ceilingBase = `http://127.0.0.1:${listening.httpPort}`;

  const seeds: Record<'express' | 'fastify', string> = { express: '', fastify: '' };
  const seedPids: Record<'express' | 'fastify', number> = { express: 0, fastify: 0 };
  for (const adapter of ['express', 'fastify'] as const) {
    const seed = Child.fork<ToSeed, FromSeed>(`seed gateway (${adapter})`, 'seed-gateway', {
      SEED_ADAPTER: adapter,
      SEED_ROADMAP_PORT: String(stack.ready.ports.roadmap),
      SEED_CALLER: JSON.stringify(caller),
    });
    cleanups.push({ name: `seed ${adapter}`, run: () => seed.stop({ type: 'stop' }) });
    seeds[adapter] = `http://127.0.0.1:${(await seed.next('listening')).port}`;
    seedPids[adapter] = seed.pid;
    const probe = await fetch(`${seeds[adapter]}${itemPath}`);
    const text = await probe.text();
    if (probe.status !== 200 || text.length !== bodies[itemPath]!.length) throw new Error(`seed gateway (${adapter}) answered ${probe.status}: ${text.slice(0, 200)}`);
  }

  // 4. Direct TCP. Every scenario opens its own client on one socket (a breaker opened in one
  // scenario must not fail the next), closed when the scenario ends.
  const bare = Child.fork<ToSeed, FromSeed>('bare NestJS microservice', 'bare-microservice', { BARE_PORT: String(await freePort()) });
  cleanups.push({ name: 'bare microservice', run: () => bare.stop({ type: 'stop' }) });
  const barePort = (await bare.next('listening')).port;
  const roadmapPort = stack.ready.ports.roadmap;

  interface Client {
    call: Call;
    close(): Promise<void>;
  }
  const openProxy = async (port: number, pattern: MessagePattern, data: () => unknown): Promise<Client> => {
    const proxy: ClientProxy = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
    await proxy.connect();
    return {
      call: () => firstValueFrom(proxy.send<unknown>(pattern, envelope(randomUUID(), data(), caller))),
      close: async () => {
        const closing: unknown = proxy.close();
        await closing;
      },
    };
  };
  // As the gateway configures it (RPC_TIMEOUT_MS of the Stack harness, metrics on).
  const openPool = async (pattern: MessagePattern, data: () => unknown, port = roadmapPort): Promise<Client> => {
    const pool = new RpcClientPool({ name: 'roadmap', host: '127.0.0.1', port, timeoutMs: 3000, registry: new Metrics('bench').registry });
    await pool.start();
    return { call: () => pool.send(pattern, envelope(randomUUID(), data(), caller)), close: () => pool.close() };
  };
  const openRaw = async (requestBytes: number, replyBytes: number): Promise<Client> => {
    const raw = await RawFrameClient.open(listening.tcpPort);
    const body = Buffer.alloc(requestBytes, 0x61);
    return { call: () => raw.request(body, replyBytes), close: async () => raw.close() };
  };
  const using =
    (open: () => Promise<Client>, measure: (call: Call) => Promise<LoadResult>) =>
    async (): Promise<LoadResult> => {
      const client = await open();
      try {
        return await measure(client.call);
      } finally {
        await client.close();
      }
    };
  const findOneData = () => ({ id: item!.id });
  const findOneReq = nestFrameBytes(ROADMAP_PATTERNS.findOneItem, envelope(randomUUID(), findOneData(), caller));
  const findOneReply = nestReplyBytes(bodies[itemPath]!);
  const echoBytes = nestReplyBytes(JSON.stringify(envelope(randomUUID(), findOneData(), caller)));

  const auth = { authorization: `Bearer ${token}` };
  const json = { 'content-type': 'application/json' };
  const http = (load: HttpLoad, warmup = WARMUP, seconds = SECONDS) => () => measureHttp(load, warmup, seconds);
  const tcp = (open: () => Promise<Client>, inFlight: number, warmup = WARMUP, seconds = SECONDS) => using(open, (call) => measureClosed(call, inFlight, warmup, seconds));
  const C = CONNECTIONS;

  // 5. The plan. Reads run before writes, so every read sees the same database.
  const plan: Planned[] = [];
  const rows = new Map<string, Row>();
  const hopRates = { direct: 0, gateway: 0 };
  const getRoute = `GET /items/:id (${size(itemPath)} B)`;
  plan.push(
    { id: 'get.ceiling', group: 'http', scenario: 'ceiling: raw node:http', route: getRoute, run: http({ url: `${ceilingBase}${itemPath}`, connections: C }) },
    {
      id: 'get.seed.express',
      group: 'http',
      scenario: 'baseline: seed gateway, Express, 1 ClientProxy',
      route: getRoute,
      ceiling: 'get.ceiling',
      run: http({ url: `${seeds.express}${itemPath}`, connections: C }),
    },
    {
      id: 'get.seed.fastify',
      group: 'http',
      scenario: 'seed gateway, Fastify, 1 ClientProxy',
      route: getRoute,
      baseline: 'get.seed.express',
      ceiling: 'get.ceiling',
      run: http({ url: `${seeds.fastify}${itemPath}`, connections: C }),
    },
    {
      id: 'get.gateway',
      group: 'http',
      scenario: 'northstar gateway (Fastify, pool, auth+validation+logging)',
      route: getRoute,
      baseline: 'get.seed.express',
      ceiling: 'get.ceiling',
      run: http({ url: `${gwBase}${itemPath}`, headers: auth, connections: C }),
    },
  );

  for (const n of IN_FLIGHT) {
    plan.push({
      id: `tcp.raw.${n}`,
      group: 'tcp',
      scenario: 'ceiling: raw socket round trip',
      route: `${n} in flight (${findOneReq} B → ${findOneReply} B)`,
      run: tcp(() => openRaw(findOneReq, findOneReply), n),
    });
  }
  const lowHigh = IN_FLIGHT.filter((x) => x !== C);
  for (const n of lowHigh) {
    plan.push({
      id: `tcp.bare.${n}`,
      group: 'tcp',
      scenario: 'Nest ClientProxy → bare NestJS TCP echo',
      route: `${n} in flight (${findOneReq} B → ${echoBytes} B)`,
      ceiling: `tcp.raw.${n}`,
      run: tcp(() => openProxy(barePort, { cmd: 'echo' }, findOneData), n),
    });
  }
  for (const n of lowHigh) {
    plan.push({
      id: `tcp.pool.bare.${n}`,
      group: 'tcp',
      scenario: 'RpcClientPool → bare NestJS TCP echo',
      route: `${n} in flight (${findOneReq} B → ${echoBytes} B)`,
      baseline: `tcp.bare.${n}`,
      ceiling: `tcp.raw.${n}`,
      run: tcp(() => openPool({ cmd: 'echo' }, findOneData, barePort), n),
    });
  }
  for (const n of lowHigh) {
    plan.push({
      id: `tcp.proxy.ping.${n}`,
      group: 'tcp',
      scenario: 'Nest ClientProxy → roadmap ping (no DB)',
      route: `${n} in flight`,
      ceiling: `tcp.raw.${n}`,
      run: tcp(() => openProxy(roadmapPort, ROADMAP_PATTERNS.ping, () => ({})), n),
    });
  }
  for (const n of IN_FLIGHT) {
    plan.push({
      id: `tcp.proxy.find.${n}`,
      group: 'tcp',
      scenario: 'baseline: Nest ClientProxy → roadmap findOneItem',
      route: `${n} in flight`,
      ceiling: `tcp.raw.${n}`,
      run: tcp(() => openProxy(roadmapPort, ROADMAP_PATTERNS.findOneItem, findOneData), n),
    });
  }
  for (const n of IN_FLIGHT) {
    plan.push({
      id: `tcp.pool.find.${n}`,
      group: 'tcp',
      scenario: 'RpcClientPool → roadmap findOneItem',
      route: `${n} in flight`,
      baseline: `tcp.proxy.find.${n}`,
      ceiling: `tcp.raw.${n}`,
      run: tcp(() => openPool(ROADMAP_PATTERNS.findOneItem, findOneData), n),
    });
  }

  const S = SWEEP_CONNECTIONS;
  for (const q of sweepQueries) {
    const route = `GET ${q.path.replace('/items', '')} → ${kib(size(q.path))}`;
    const key = `sweep.${q.query.status}.${q.query.limit}`;
    const listData = () => q.query;
    const reqBytes = nestFrameBytes(ROADMAP_PATTERNS.findAllItems, envelope(randomUUID(), listData(), caller));
    const replyBytes = nestReplyBytes(bodies[q.path]!);
    const tcpRoute = `findAllItems ${q.query.status} × ${q.query.limit} → ${kib(replyBytes)}`;
    plan.push(
      { id: `${key}.ceiling`, group: 'sweep', scenario: 'ceiling: raw node:http', route, run: http({ url: `${ceilingBase}${q.path}`, connections: S }, SWEEP_WARMUP, SWEEP_SECONDS) },
      {
        id: `${key}.seed`,
        group: 'sweep',
        scenario: 'baseline: seed gateway, Express',
        route,
        ceiling: `${key}.ceiling`,
        run: http({ url: `${seeds.express}${q.path}`, connections: S }, SWEEP_WARMUP, SWEEP_SECONDS),
      },
      {
        id: `${key}.gateway`,
        group: 'sweep',
        scenario: 'northstar gateway',
        route,
        baseline: `${key}.seed`,
        ceiling: `${key}.ceiling`,
        run: http({ url: `${gwBase}${q.path}`, headers: auth, connections: S }, SWEEP_WARMUP, SWEEP_SECONDS),
      },
      {
        id: `${key}.raw`,
        group: 'sweep',
        scenario: 'ceiling: raw socket round trip',
        route: `${reqBytes} B → ${kib(replyBytes)}`,
        run: tcp(() => openRaw(reqBytes, replyBytes), S, SWEEP_WARMUP, SWEEP_SECONDS),
      },
      {
        id: `${key}.pool`,
        group: 'sweep',
        scenario: 'RpcClientPool → roadmap',
        route: tcpRoute,
        ceiling: `${key}.raw`,
        run: tcp(() => openPool(ROADMAP_PATTERNS.findAllItems, listData), S, SWEEP_WARMUP, SWEEP_SECONDS),
      },
    );
  }

  // The hop at half of saturation: each path at 50% of its own maximum from above. While the
  // gateway runs at its half, direct calls go out in the same window at a quarter of that rate:
  // what the hop adds is read between requests that met the same machine. (On 2 shared cores a
  // stall of tens of ms, e.g. another service's major GC, sets a window's p99 by itself; two
  // paths measured one after the other compare one window's stalls with another's.)
  const rate = (id: string) => rows.get(id)?.result.rps ?? 0;
  const paced = (r: () => number) =>
    using(
      () => openPool(ROADMAP_PATTERNS.findOneItem, findOneData),
      async (call) => {
        await pacedLoop(call, r(), WARMUP);
        return pacedLoop(call, r(), SECONDS);
      },
    );
  plan.push(
    {
      id: 'hop.direct',
      group: 'hop',
      scenario: 'hop: RpcClientPool → findOneItem at 50% of its max',
      route: `paced, 50% of the ${C}-in-flight rate`,
      run: paced(() => (hopRates.direct = rate(`tcp.pool.find.${C}`) / 2)),
    },
    {
      id: 'hop.gateway',
      group: 'hop',
      scenario: 'hop: northstar gateway GET /items/:id at 50% of its max',
      route: `paced, ≤ ${HOP_SOCKETS} keep-alive connections`,
      run: async () => {
        hopRates.gateway = rate('get.gateway') / 2;
        const client = new RawHttpGetClient(new URL(`${gwBase}${itemPath}`), auth, HOP_SOCKETS);
        try {
          await pacedLoop(client.call, hopRates.gateway, WARMUP);
          return await pacedLoop(client.call, hopRates.gateway, SECONDS);
        } finally {
          client.close();
        }
      },
      alongside: {
        id: 'hop.direct.during',
        scenario: 'hop: RpcClientPool → findOneItem during the gateway row',
        route: "paced, ¼ of the gateway's rate, same window",
        run: paced(() => rate('get.gateway') / 8),
      },
    },
  );

  const postRoute = `POST /items (${Buffer.byteLength(postBody)} B body)`;
  const postLargeRoute = `POST /items (${kib(Buffer.byteLength(postBodyLarge))} body)`;
  for (const [route, body, key, w, s] of [
    [postRoute, postBody, 'post', WARMUP, SECONDS],
    [postLargeRoute, postBodyLarge, 'post.large', SWEEP_WARMUP, SWEEP_SECONDS],
  ] as const) {
    const group: Group = key === 'post' ? 'http' : 'sweep';
    const connections = key === 'post' ? C : SWEEP_CONNECTIONS;
    const load = (url: string, headers: Record<string, string>): HttpLoad => ({ url, method: 'POST', body, headers: { ...json, ...headers }, connections });
    plan.push(
      { id: `${key}.ceiling`, group, scenario: 'ceiling: raw node:http (echo)', route, run: http(load(`${ceilingBase}/items`, {}), w, s) },
      {
        id: `${key}.seed.express`,
        group,
        scenario: 'baseline: seed gateway, Express, 1 ClientProxy',
        route,
        ceiling: `${key}.ceiling`,
        run: http(load(`${seeds.express}/items`, {}), w, s),
      },
      ...(key === 'post'
        ? [
            {
              id: `${key}.seed.fastify`,
              group,
              scenario: 'seed gateway, Fastify, 1 ClientProxy',
              route,
              baseline: `${key}.seed.express`,
              ceiling: `${key}.ceiling`,
              run: http(load(`${seeds.fastify}/items`, {}), w, s),
            },
          ]
        : []),
      {
        id: `${key}.gateway`,
        group,
        scenario: 'northstar gateway (Fastify, pool, auth+validation+logging)',
        route,
        baseline: `${key}.seed.express`,
        ceiling: `${key}.ceiling`,
        note: "plan from the gateway's 5 s cache of identity's answer",
        run: http(load(`${gwBase}/items`, auth), w, s),
      },
    );
  }

  /**
   * Waits until the gateway answers again: a scenario that overloads it may leave a circuit
   * open for its cool-down, which the next scenario must not measure.
   */
  const settle = async (): Promise<number> => {
    const t0 = performance.now();
    for (let attempt = 0; attempt < 120; attempt++) {
      try {
        const res = await fetch(`${gwBase}${itemPath}`, { headers: auth });
        await res.arrayBuffer();
        if (res.status === 200) return performance.now() - t0;
      } catch {
        // not answering yet
      }
      await sleep(250);
    }
    throw new Error(`the gateway did not answer GET ${itemPath} with 200 within 30 s`);
  };

  const watched: Array<[string, number]> = [
    ['gateway', stack.startup.get('gateway')!.pid],
    ['roadmap', stack.startup.get('roadmap')!.pid],
    ['identity', stack.startup.get('identity')!.pid],
    ['harness (log reader)', stack.host.pid],
    ['seed express', seedPids.express],
    ['seed fastify', seedPids.fastify],
    ['ceilings', baselines.pid],
    ['bare nest', bare.pid],
    ['load generator', process.pid],
  ];
  // One 3 s window on a shared 2-core machine moves by ±10%: the rows the targets compare run
  // again in later rounds, interleaved, so that a slow moment hits every contender alike. Each
  // round rotates the contenders of a comparison, so none always runs first or last (POSTs
  // also grow the table the next contender writes to). The hop pair keeps its order: the
  // direct call is paced at the rate the gateway row sets.
  const ends = [IN_FLIGHT[0]!, IN_FLIGHT[IN_FLIGHT.length - 1]!];
  const COMPARED: Array<{ ids: string[]; rotate: boolean }> = [
    { ids: ['get.seed.express', 'get.seed.fastify', 'get.gateway'], rotate: true },
    ...ends.map((n) => ({ ids: [`tcp.raw.${n}`, `tcp.bare.${n}`, `tcp.pool.bare.${n}`], rotate: true })),
    { ids: ['hop.gateway'], rotate: false },
    { ids: ['post.seed.express', 'post.seed.fastify', 'post.gateway'], rotate: true },
  ];
  const REPEATED = [...COMPARED.flatMap((g) => g.ids), 'hop.direct.during'];
  for (let round = 2; round <= ROUNDS; round++) {
    for (const { ids, rotate } of COMPARED) {
      const shift = rotate ? (round - 1) % ids.length : 0;
      for (const id of [...ids.slice(shift), ...ids.slice(0, shift)]) {
        const first = plan.find((p) => p.id === id);
        if (first) {
          const alongside = first.alongside ? { alongside: { ...first.alongside, id: `${first.alongside.id}#${round}` } } : {};
          plan.push({ ...first, id: `${id}#${round}`, ...alongside });
        }
      }
    }
  }
  const estimate = plan.reduce((t, p) => t + (p.group === 'sweep' ? SWEEP_SECONDS + SWEEP_WARMUP : SECONDS + WARMUP), 0);
  log(`\n== ${plan.length} scenarios, about ${Math.floor(estimate / 60)} min ${Math.round(estimate % 60)} s of load`);
  const figures = (r: LoadResult): string =>
    `${Math.round(r.rps).toLocaleString('en-US')} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms` +
    (r.failed > 0 ? `, ${r.failed} failed: ${r.failures.join('; ')}` : '');
  let i = 0;
  for (const p of plan) {
    i++;
    process.stdout.write(`[${String(i).padStart(2)}/${plan.length}] ${p.scenario} · ${p.route} … `);
    const ticksBefore = watched.map(([, pid]) => cpuTicks(pid));
    const t0 = performance.now();
    const [result, alongside] = await Promise.all([p.run(), p.alongside?.run()]);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu: Record<string, number> = {};
    watched.forEach(([name, pid], k) => {
      const after = cpuTicks(pid);
      const before = ticksBefore[k];
      if (after !== null && before !== null && before !== undefined) cpu[name] = ((after - before) / CLK_TCK / elapsed) * 100;
    });
    const row: Row = {
      id: p.id,
      group: p.group,
      scenario: p.scenario,
      route: p.route,
      result,
      cpu,
      ...(p.baseline ? { baseline: p.baseline } : {}),
      ...(p.ceiling ? { ceiling: p.ceiling } : {}),
      ...(p.note ? { note: p.note } : {}),
    };
    rows.set(p.id, row);
    if (p.alongside && alongside) {
      const { id, scenario, route } = p.alongside;
      rows.set(id, { id, group: p.group, scenario, route, result: alongside, cpu, note: `CPU: the whole window, shared with ${p.id.split('#')[0]}` });
    }
    log(
      figures(result) +
        (p.alongside && alongside ? ` (alongside: ${figures(alongside)})` : '') +
        ` · CPU ${Object.entries(cpu)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([name, pct]) => `${name} ${Math.round(pct)}%`)
          .join(', ')}`,
    );
    await sleep(300);
    const waited = await settle();
    if (waited > 1000) log(`        (waited ${(waited / 1000).toFixed(1)} s for the gateway to answer again)`);
  }

  // Repeated rows: keep the median round (by req/s; by p99 for the paced hop rows, whose rate is fixed).
  for (const id of REPEATED) {
    const all = [rows.get(id), ...Array.from({ length: ROUNDS - 1 }, (_, k) => rows.get(`${id}#${k + 2}`))].filter((r): r is Row => r !== undefined);
    for (let k = 2; k <= ROUNDS; k++) rows.delete(`${id}#${k}`);
    if (all.length < 2) continue;
    const key = (r: Row) => (r.group === 'hop' ? r.result.p99 : r.result.rps);
    const median = [...all].sort((a, b) => key(a) - key(b))[Math.floor((all.length - 1) / 2)]!;
    const what = all[0]!.group === 'hop' ? 'p99' : 'req/s';
    const spread = all.map((r) => (what === 'p99' ? r.result.p99.toFixed(1) : Math.round(r.result.rps).toLocaleString('en-US'))).join(' / ');
    rows.set(id, {
      ...median,
      id,
      rounds: all.map((r) => r.result),
      note: [all[0]!.note, `median of ${all.length} rounds (${what} ${spread})`].filter(Boolean).join('; '),
    });
  }

  // 6. RSS after load, then stop everything.
  for (const r of mainRows) {
    const pid = stack.startup.get(r.service as ServiceName)!.pid;
    Object.assign(r, { afterLoadRssMiB: rssMiB(pid) });
  }
  const loadAtEnd = loadavg();
  await cleanup();

  // 7. Targets.
  const get = (id: string) => rows.get(id)!;
  const verdicts: Verdict[] = [];
  {
    const gw = get('hop.gateway').result;
    const direct = get('hop.direct').result;
    const during = get('hop.direct.during').result;
    // The hop is what the gateway adds to the same traffic at the same moment: each round pairs
    // the gateway's window with the direct calls sent during it. The direct call at half of its
    // own (higher) saturation is printed too; it runs at another rate and in another window.
    const gwRounds = get('hop.gateway').rounds ?? [gw];
    const duringRounds = get('hop.direct.during').rounds ?? [during];
    const pairs = gwRounds.map((g, k) => ({ d50: g.p50 - (duringRounds[k] ?? during).p50, d99: g.p99 - (duringRounds[k] ?? during).p99 }));
    const middle = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
    const d50 = middle(pairs.map((p) => p.d50));
    const d99 = middle(pairs.map((p) => p.d99));
    const gwSaturated = get('get.gateway').result;
    const directSaturated = get(`tcp.pool.find.${C}`).result;
    // At half load each path must be faster than at saturation; if it is not, the machine's
    // other work took the cores during that window and the difference means nothing.
    const halfLoad = gw.p50 < gwSaturated.p50 && during.p50 < directSaturated.p50;
    verdicts.push({
      target: 'the gateway hop adds ≤ 2 ms p50 and ≤ 5 ms p99 over a direct TCP call at half of saturation',
      met: halfLoad ? d50 <= 2 && d99 <= 5 : null,
      detail:
        (halfLoad ? '' : 'Inconclusive in this run: a path was slower at "half load" than at saturation, so the windows did not see the same machine. ') +
        `At ${Math.round(hopRates.gateway)} req/s (half of the gateway's ${Math.round(gwSaturated.rps)}): gateway GET p50 ${gw.p50.toFixed(2)} / p99 ${gw.p99.toFixed(2)} ms; ` +
        `direct pool calls sent in the same windows (${Math.round(during.rps)}/s) p50 ${during.p50.toFixed(2)} / p99 ${during.p99.toFixed(2)} ms (median rounds) → hop ${signed(d50)} ms p50, ${signed(d99)} ms p99 ` +
        `(median of the ${pairs.length} rounds' differences: p50 ${pairs.map((p) => signed(p.d50)).join(' / ')}; p99 ${pairs.map((p) => signed(p.d99)).join(' / ')}). ` +
        `For reference, the direct call alone at half of its own maximum (${Math.round(hopRates.direct)}/s): p50 ${direct.p50.toFixed(2)} / p99 ${direct.p99.toFixed(2)} ms.`,
    });
  }
  {
    const parts = (['get', 'post'] as const).map((k) => {
      const r = ratio(rows, get(`${k}.gateway`), `${k}.seed.express`) ?? 0;
      return { k, r, text: `${k.toUpperCase()} ${Math.round(get(`${k}.gateway`).result.rps)} vs ${Math.round(get(`${k}.seed.express`).result.rps)} req/s (${r.toFixed(2)}×)` };
    });
    const fastify = (['get', 'post'] as const)
      .map((k) => `${k.toUpperCase()} ${(ratio(rows, get(`${k}.gateway`), `${k}.seed.fastify`) ?? 0).toFixed(2)}×`)
      .join(', ');
    verdicts.push({
      target: 'the pooled gateway serves at least as many req/s as the seed-style (Express) baseline while doing auth, validation and logging',
      met: parts.every((p) => p.r >= 1),
      detail: `${parts.map((p) => p.text).join('; ')}. Against the same seed code on Fastify: ${fastify}.`,
    });
  }
  {
    const r = (id: string, n: number) => ratio(rows, get(`${id}.${n}`), `tcp.raw.${n}`) ?? 0;
    const transport = (id: string, client: string) => ({ client, points: ends.map((n) => ({ n, r: r(id, n), rps: get(`${id}.${n}`).result.rps })) });
    // Both clients talk to the same bare Nest server; the gateway's client is the pool.
    const judged = [transport('tcp.pool.bare', 'RpcClientPool, the gateway\'s client'), transport('tcp.bare', "Nest's ClientProxy")];
    const line = (t: ReturnType<typeof transport>) =>
      `${t.client}: ` + t.points.map((c) => `${c.n} in flight ${Math.round(c.rps)}/s vs raw ${Math.round(get(`tcp.raw.${c.n}`).result.rps)}/s (${c.r.toFixed(2)}×)`).join(', ');
    verdicts.push({
      target: 'direct NestJS TCP reaches at least half of a raw-socket round trip rate',
      met: judged[0]!.points.every((c) => c.r >= 0.5),
      detail:
        `Judged on NestJS's TCP server alone (a bare Nest echo microservice, same frames as findOneItem) with the client the gateway uses. ` +
        judged.map(line).join('; ') +
        `. With roadmap's per-message work (ping, ClientProxy): ${ends.map((n) => `${r('tcp.proxy.ping', n).toFixed(2)}× at ${n}`).join(', ')}; ` +
        `with the database read too (findOneItem, ClientProxy): ${ends.map((n) => `${r('tcp.proxy.find', n).toFixed(2)}× at ${n}`).join(', ')}.`,
    });
  }

  // 8. Print and save.
  const allRows = [...rows.values()];
  const order: Group[] = ['http', 'tcp', 'sweep', 'hop'];
  const sorted = order.flatMap((g) => allRows.filter((r) => r.group === g));
  const main = resultsTable(sorted);
  const startupMd = startupTable(startupRows);
  const verdictMd = verdictList(verdicts);
  log(`\n${main}\n\n${startupMd}\n\nTargets:\n${verdictMd}\n`);

  mkdirSync(RESULTS, { recursive: true });
  // A second run at the same commit gets its own file (…-2, …-3) instead of replacing the first.
  const base = `${started.toISOString().slice(0, 10)}-${sha}`;
  let stem = base;
  for (let n = 2; existsSync(join(RESULTS, `${stem}.json`)); n++) stem = `${base}-${n}`;
  const meta = {
    date: started.toISOString(),
    finished: new Date().toISOString(),
    gitSha: sha,
    uncommittedChanges: dirty,
    command: COMMAND,
    settings: {
      BENCH_SECONDS: SECONDS,
      BENCH_WARMUP_SECONDS: WARMUP,
      BENCH_CONNECTIONS: CONNECTIONS,
      BENCH_SWEEP_CONNECTIONS: SWEEP_CONNECTIONS,
      BENCH_ROUNDS: ROUNDS,
      sweepSeconds: SWEEP_SECONDS,
      sweepWarmupSeconds: SWEEP_WARMUP,
    },
    engine,
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadAtEnd,
    payloads: { item: size(itemPath), pages: Object.fromEntries(sweepQueries.map((q) => [q.path, size(q.path)])), postBody: Buffer.byteLength(postBody), postBodyLarge: Buffer.byteLength(postBodyLarge) },
    hopRates,
  };
  writeFileSync(join(RESULTS, `${stem}.json`), `${JSON.stringify({ meta, scenarios: sorted, startup: startupRows, targets: verdicts }, null, 2)}\n`);
  writeFileSync(
    join(RESULTS, 'latest.md'),
    markdown({ ...meta, node: process.version, settings: SETTINGS, main, startup: startupMd, verdicts: verdictMd }),
  );
  log(`saved bench/results/${stem}.json and bench/results/latest.md`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await cleanup();
  process.exit(1);
});
