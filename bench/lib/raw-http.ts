import { connect, type Socket } from 'node:net';
import type { Call } from './tcp-load.js';

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Keep-alive HTTP/1.1 GETs over plain sockets, for the paced hop rows: node:http's client cost
 * the bench process ~140 µs of CPU per request, taken from the cores the services under test
 * run on. One request per socket at a time (no pipelining), up to `maxSockets`; answers must
 * carry Content-Length (Fastify's do) and be 200.
 */
export class RawHttpGetClient {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly queue: Array<() => void> = [];
  private readonly request: Buffer;

  constructor(
    private readonly url: URL,
    headers: Record<string, string>,
    private readonly maxSockets: number,
  ) {
    const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, 'connection: keep-alive', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    this.request = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
  }

  readonly call: Call = async () => {
    const connection = await this.acquire();
    try {
      await connection.get(this.request);
    } catch (error) {
      connection.destroy();
      this.all.delete(connection);
      throw error;
    } finally {
      if (this.all.has(connection)) this.release(connection);
      else this.queue.shift()?.();
    }
  };

  close(): void {
    for (const c of this.all) c.destroy();
    this.all.clear();
  }

  private async acquire(): Promise<Connection> {
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.all.size < this.maxSockets) {
      const connection = await Connection.open(this.url);
      this.all.add(connection);
      return connection;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
    return this.acquire();
  }

  private release(connection: Connection): void {
    this.idle.push(connection);
    this.queue.shift()?.();
  }
}

class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve: () => void; reject: (e: Error) => void } | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static async open(url: URL): Promise<Connection> {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new Connection(socket);
  }

  get(request: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const end = this.buffer.indexOf(HEADER_END);
    if (end === -1) return;
    const head = this.buffer.subarray(0, end).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
    if (length === undefined) return this.fail(new Error('answer without content-length'));
    const total = end + 4 + Number(length);
    if (this.buffer.length < total) return;
    const status = Number(head.slice(9, 12));
    this.buffer = this.buffer.subarray(total);
    const pending = this.pending;
    this.pending = undefined;
    if (status === 200) pending?.resolve();
    else pending?.reject(new Error(`HTTP ${status}`));
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}
