import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Messages between the bench (parent) and the processes it forks. */

export type ServiceName = 'roadmap' | 'identity' | 'gateway';

export type ToBaselines = { type: 'bodies'; bodies: Record<string, string> } | { type: 'stop' };
export type FromBaselines = { type: 'listening'; httpPort: number; tcpPort: number } | { type: 'bodies-set' };

export type ToSeed = { type: 'stop' };
export type FromSeed = { type: 'listening'; port: number };

export type ToStackHost = { type: 'restart'; service: ServiceName } | { type: 'stop' };
export type FromStackHost =
  | {
      type: 'ready';
      engine: string;
      baseUrl: string;
      webhookSecret: string;
      ports: Record<ServiceName, number>;
      pids: Record<ServiceName, number>;
      readyMs: Record<ServiceName, number>;
    }
  | { type: 'restarted'; service: ServiceName; readyMs: number; pid: number }
  | { type: 'failed'; error: string }
  | { type: 'stopped' };

type Message = { type: string };

/** Child side; resolves once the message is handed to the channel, so an exit cannot drop it. */
export function send<T extends Message>(message: T): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

/** Child side: the bench exited or was killed, so nothing would ever stop this process. */
export function onParentGone(handler: () => void): void {
  process.on('disconnect', handler);
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

const SERVERS = join(dirname(fileURLToPath(import.meta.url)), '..', 'servers');

/** Parent side: a forked bench process that answers through IPC. */
export class Child<In extends Message, Out extends Message> {
  private readonly inbox: Out[] = [];
  private readonly waiters: Array<{ type: Out['type']; resolve: (m: Out) => void; reject: (e: Error) => void }> = [];
  private readonly exited: Promise<number | null>;
  private stderr = '';

  private constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.on('message', (m: Out) => this.deliver(m));
    proc.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) =>
      proc.once('exit', (code) => {
        for (const w of this.waiters.splice(0)) w.reject(new Error(`${name} exited (code ${code}) before answering ${w.type}:\n${this.stderr}`));
        resolve(code);
      }),
    );
  }

  /** Forks bench/dist/bench/servers/<script>.js with `env` added to the bench's environment. */
  static fork<In extends Message, Out extends Message>(name: string, script: string, env: Record<string, string | undefined>): Child<In, Out> {
    const merged: Record<string, string | undefined> = { ...process.env, ...env };
    // An undefined value removes the variable (TEST_DATABASE_URL for a PGlite stack).
    const childEnv = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
    const child = fork(join(SERVERS, `${script}.js`), [], {
      env: childEnv,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    return new Child<In, Out>(name, child);
  }

  get pid(): number {
    return this.proc.pid ?? 0;
  }

  send(message: In): void {
    this.proc.send(message);
  }

  next<T extends Out['type']>(type: T, timeoutMs = 120_000): Promise<Extract<Out, { type: T }>> {
    const queued = this.inbox.findIndex((m) => m.type === type || m.type === 'failed');
    if (queued >= 0) return this.settle(this.inbox.splice(queued, 1)[0]!) as Promise<Extract<Out, { type: T }>>;
    return new Promise<Out>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no '${type}' within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    }).then((m) => this.settle(m)) as Promise<Extract<Out, { type: T }>>;
  }

  /** Asks the child to stop, and kills it if it has not exited within `graceMs`. */
  async stop(message: In, graceMs = 15_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    if (this.proc.connected) this.proc.send(message);
    else this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private settle(m: Out): Promise<Out> {
    if (m.type === 'failed') return Promise.reject(new Error(`${this.name}: ${(m as unknown as { error: string }).error}`));
    return Promise.resolve(m);
  }

  private deliver(m: Out): void {
    const i = this.waiters.findIndex((w) => w.type === m.type || m.type === 'failed');
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
    else this.inbox.push(m);
  }
}
