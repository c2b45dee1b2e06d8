import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
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

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
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
    return this.logs
      .filter((l) => l.service === name)
      .slice(-lines)
      .map((l) => JSON.stringify(l))
      .join('\n');
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
