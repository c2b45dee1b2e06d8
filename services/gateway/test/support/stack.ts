import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * The three real services as child processes of the test, on free ports, each with
 * its own database: PGlite in a temp dir, or fresh databases on the PostgreSQL
 * server named by TEST_DATABASE_URL. Logs are kept as parsed JSON lines.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export type ServiceName = 'gateway' | 'roadmap' | 'identity';
export type LogLine = Record<string, unknown> & { service?: string; msg?: string; requestId?: string };

export const ENGINE = process.env['TEST_DATABASE_URL'] ? 'postgres' : 'pglite';

/**
 * The kernel hands out ephemeral ports (ip_local_port_range, 32768–60999 by default) to
 * outgoing connections too, so a port found free there can become the local port of a
 * database connection before the service listens on it (EADDRINUSE). Test ports come from
 * below that range instead, never the same one twice in a process.
 */
function testPortRange(): [number, number] {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // not Linux: the usual default
  }
  return low > 11024 ? [low - 10000, low - 1] : [20000, 29999];
}
const handedOut = new Set<number>();

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [from, to] = testPortRange();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (handedOut.has(port)) continue;
    const free = await new Promise<boolean>((resolveFree) => {
      const server = createServer();
      server.once('error', () => resolveFree(false));
      server.listen(port, host, () => server.close(() => resolveFree(true)));
    });
    if (free) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found between ${from} and ${to} on ${host}`);
}

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
}

export class Stack {
  readonly logs: LogLine[] = [];
  readonly jwtKeyPem: string;
  readonly webhookSecret: string;
  readonly ports: Record<ServiceName, number> & { roadmapHealth: number; identityHealth: number } = {
    gateway: 0,
    roadmap: 0,
    identity: 0,
    roadmapHealth: 0,
    identityHealth: 0,
  };
  private readonly procs = new Map<string, Proc>();
  /** Set by discardLogs(): the last chunks each process wrote, unparsed, for tail(). */
  private rawTails: Map<string, Buffer[]> | undefined;
  private dataDir = '';
  private databases: Partial<Record<'roadmap' | 'identity', string>> = {};

  private constructor(private readonly extraEnv: Record<string, string>) {
    this.jwtKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.webhookSecret = randomBytes(24).toString('hex');
  }

  static async start(extraEnv: Record<string, string> = {}, only?: ServiceName[]): Promise<Stack> {
    const stack = new Stack(extraEnv);
    const wanted = (name: ServiceName) => !only || only.includes(name);
    stack.dataDir = await mkdtemp(join(tmpdir(), 'northstar-it-'));
    await stack.createDatabases();
    stack.ports.gateway = await freePort();
    stack.ports.roadmap = await freePort();
    stack.ports.identity = await freePort();
    stack.ports.roadmapHealth = await freePort();
    stack.ports.identityHealth = await freePort();
    await Promise.all((['roadmap', 'identity'] as const).filter(wanted).map((name) => stack.startService(name)));
    if (wanted('gateway')) await stack.startService('gateway');
    return stack;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.ports.gateway}`;
  }

  envFor(name: ServiceName): Record<string, string> {
    // Debug by default so every service logs each message it handles; benchmarks ask for info.
    const common = { LOG_LEVEL: process.env['STACK_LOG_LEVEL'] ?? 'debug', SHUTDOWN_DELAY_MS: '0', NODE_ENV: 'test' };
    switch (name) {
      case 'gateway':
        return {
          ...common,
          PORT: String(this.ports.gateway),
          MS_ONE_HOST: '127.0.0.1',
          MS_ONE_PORT: String(this.ports.roadmap),
          MS_TWO_HOST: '127.0.0.1',
          MS_TWO_PORT: String(this.ports.identity),
          WEBHOOK_SECRET: this.webhookSecret,
          RPC_TIMEOUT_MS: '3000',
          // The suites register many users from one address; the 429 test lowers these again.
          THROTTLE_LIMIT: '100000',
          THROTTLE_AUTH_LIMIT: '100000',
          ...this.extraEnv,
        };
      case 'roadmap':
        return {
          ...common,
          MS_HOST: '127.0.0.1',
          MS_PORT: String(this.ports.roadmap),
          HEALTH_PORT: String(this.ports.roadmapHealth),
          DATA_DIR: join(this.dataDir, 'roadmap'),
          ...(this.databases.roadmap ? { DATABASE_URL: this.databases.roadmap } : {}),
        };
      case 'identity':
        return {
          ...common,
          MS_HOST: '127.0.0.1',
          MS_PORT: String(this.ports.identity),
          HEALTH_PORT: String(this.ports.identityHealth),
          DATA_DIR: join(this.dataDir, 'identity'),
          JWT_SIGNING_KEYS: this.jwtKeyPem,
          ...(this.databases.identity ? { DATABASE_URL: this.databases.identity } : {}),
        };
    }
  }

  /** Starts a service (again) and waits until its readiness endpoint answers 200. */
  async startService(name: ServiceName, env: Record<string, string> = {}, key: string = name): Promise<void> {
    const child = spawn(process.execPath, [join(ROOT, 'services', name, 'dist', 'main.js')], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...this.envFor(name), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    this.procs.set(key, { child, exited });
    let buffered = '';
    const collect = (chunk: Buffer) => {
      if (this.rawTails) {
        // The last two chunks, as bytes: nothing is decoded unless tail() asks.
        const kept = this.rawTails.get(key);
        this.rawTails.set(key, kept ? [kept[kept.length - 1]!, chunk] : [chunk]);
        return;
      }
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.logs.push({ service: name, msg: line, raw: true });
        }
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const port = env['PORT'] ?? env['HEALTH_PORT'] ?? this.envFor(name)[name === 'gateway' ? 'PORT' : 'HEALTH_PORT'];
    const bound = env['MS_HOST'];
    await this.waitReady(bound && bound !== '0.0.0.0' ? bound : '127.0.0.1', Number(port), exited, key);
  }

  private async waitReady(host: string, port: number, exited: Promise<number | null>, name: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    let dead = false;
    void exited.then(() => (dead = true));
    while (Date.now() < deadline) {
      if (dead) throw new Error(`${name} exited during start-up:\n${this.tail(name)}`);
      try {
        const res = await fetch(`http://${host}:${port}/health/ready`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${name} was not ready within 60 s:\n${this.tail(name)}`);
  }

  tail(name: string, lines = 30): string {
    const raw = this.rawTails?.get(name);
    if (raw !== undefined) return Buffer.concat(raw).toString().split('\n').slice(-lines - 1).join('\n');
    return this.logs
      .filter((l) => l.service === name)
      .slice(-lines)
      .map((l) => JSON.stringify(l))
      .join('\n');
  }

  /**
   * From now on the services' output is drained without being parsed or kept (only its last
   * two chunks, for tail()): for the benchmark, which never reads the logs, so that parsing tens of
   * thousands of lines a second does not take CPU from the services it measures.
   */
  discardLogs(): void {
    this.rawTails ??= new Map();
    this.logs.length = 0;
  }

  pid(key: string): number | undefined {
    return this.procs.get(key)?.child.pid;
  }

  /** SIGTERM, then wait for the exit code. */
  async stopService(key: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const proc = this.procs.get(key);
    if (!proc) return null;
    this.procs.delete(key);
    if (proc.child.exitCode !== null) return proc.child.exitCode;
    proc.child.kill(signal);
    return proc.exited;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((k) => this.stopService(k)));
    await this.dropDatabases();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async createDatabases(): Promise<void> {
    const base = process.env['TEST_DATABASE_URL'];
    if (!base) return;
    const suffix = randomBytes(4).toString('hex');
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    try {
      for (const svc of ['roadmap', 'identity'] as const) {
        const name = `it_${svc}_${suffix}`;
        await admin.query(`create database ${name}`);
        this.databases[svc] = `${base}/${name}`;
      }
    } finally {
      await admin.end();
    }
  }

  private async dropDatabases(): Promise<void> {
    const base = process.env['TEST_DATABASE_URL'];
    if (!base) return;
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    try {
      for (const url of Object.values(this.databases)) {
        const name = new URL(url).pathname.slice(1);
        await admin.query(`drop database if exists ${name} with (force)`);
      }
    } finally {
      await admin.end();
    }
  }
}
