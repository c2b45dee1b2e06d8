import * as net from 'node:net';
import { FrameError } from './frame.error.js';
import { encodeFrame, JsonFrameDecoder } from './json-frame-decoder.js';
import { RpcRemoteError } from './rpc-remote.error.js';
import { RpcTimeoutError } from './rpc-timeout.error.js';
import { RpcUnavailableError } from './rpc-unavailable.error.js';

export interface RpcConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** `address:port`, used in errors. */
  readonly label: string;
  readonly keepAliveInitialDelayMs: number;
  readonly maxMessageLength: number;
  /** Called once when the socket is gone, whatever the reason. */
  readonly onClose: (connection: RpcConnection, cause: Error | undefined) => void;
}

interface PendingCall {
  readonly pattern: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  last: unknown;
}

type ConnectionState = 'idle' | 'connecting' | 'open' | 'closed';

/** One TCP socket to one endpoint, speaking the NestJS TCP transport. */
export class RpcConnection {
  private socket: net.Socket | undefined;
  private state: ConnectionState = 'idle';
  private readonly pending = new Map<string, PendingCall>();
  private readonly decoder: JsonFrameDecoder;
  private nextId = 0;
  private connecting: Promise<void> | undefined;
  private closeCause: Error | undefined;
  private corked = false;

  constructor(private readonly options: RpcConnectionOptions) {
    this.decoder = new JsonFrameDecoder(options.maxMessageLength);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Requests waiting for their answer on this socket. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Connects once; later calls share the same attempt. Rejects with an unsent
   * `RpcUnavailableError('connect_failed')` on refusal or after `timeoutMs`.
   */
  connect(timeoutMs: number, pattern: string): Promise<void> {
    if (this.state === 'open') return Promise.resolve();
    if (this.connecting) return this.connecting;
    if (this.state === 'closed') return Promise.reject(this.unavailable('connect_failed', pattern, false));
    this.state = 'connecting';
    const socket = net.connect({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setNoDelay(true);
    // Finds peers that vanished without a FIN (node gone, conntrack dropped) on idle sockets.
    socket.setKeepAlive(true, this.options.keepAliveInitialDelayMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.closeCause ??= err;
    });
    socket.on('close', () => this.onSocketClose());
    this.connecting = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.closeCause ??= new Error(`connect timeout after ${timeoutMs} ms`);
        socket.destroy();
      }, timeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        socket.off('connect', onConnect);
        socket.off('close', onCloseBeforeConnect);
        this.connecting = undefined;
      };
      const onConnect = (): void => {
        settle();
        this.state = 'open';
        resolve();
      };
      const onCloseBeforeConnect = (): void => {
        settle();
        reject(this.unavailable('connect_failed', pattern, false, this.closeCause));
      };
      socket.once('connect', onConnect);
      socket.once('close', onCloseBeforeConnect);
    });
    return this.connecting;
  }

  /**
   * Sends one request; `dataJson` is the already serialized payload (undefined sends none).
   * Settles with the last response, an `RpcRemoteError`, an `RpcTimeoutError`, or a sent
   * `RpcUnavailableError('connection_lost')`.
   */
  request(pattern: string, dataJson: string | undefined, timeoutMs: number): Promise<unknown> {
    const socket = this.socket;
    if (this.state !== 'open' || !socket?.writable) {
      return Promise.reject(this.unavailable('connection_lost', pattern, false));
    }
    const id = String(++this.nextId);
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcTimeoutError(pattern, this.options.label, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { pattern, resolve, reject, timer, last: undefined });
      this.write(socket, encodeFrame(packetJson(pattern, dataJson, id)));
    });
  }

  /** Writes an event packet (no id: the server answers nothing); resolves once handed to the kernel. */
  emit(pattern: string, dataJson: string | undefined): Promise<void> {
    const socket = this.socket;
    if (this.state !== 'open' || !socket?.writable) {
      return Promise.reject(this.unavailable('connection_lost', pattern, false));
    }
    return new Promise<void>((resolve, reject) => {
      this.write(socket, encodeFrame(packetJson(pattern, dataJson, undefined)), (err) => {
        if (err) reject(this.unavailable('connection_lost', pattern, true, err));
        else resolve();
      });
    });
  }

  /** Closes the socket now; calls still waiting fail with `connection_lost`. */
  destroy(cause?: Error): void {
    if (cause) this.closeCause ??= cause;
    if (this.socket) this.socket.destroy();
    else this.onSocketClose();
  }

  /**
   * Frames written in the same tick leave in one write: under load many calls start in the
   * microtasks of one socket event, and a syscall per frame was a fifth of the client's CPU.
   */
  private write(socket: net.Socket, frame: string, callback?: (err?: Error | null) => void): void {
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    socket.write(frame, callback);
  }

  private onData(chunk: Buffer): void {
    let messages: unknown[];
    try {
      messages = this.decoder.push(chunk);
    } catch (err) {
      this.destroy(err instanceof FrameError ? err : new FrameError(String(err)));
      return;
    }
    for (const message of messages) this.onMessage(message);
  }

  private onMessage(message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const packet = message as { id?: unknown; err?: unknown; response?: unknown; isDisposed?: unknown };
    if (typeof packet.id !== 'string' && typeof packet.id !== 'number') return;
    const id = String(packet.id);
    const call = this.pending.get(id);
    if (!call) return; // the call already timed out
    // Same rules as ClientProxy#createObserver: a truthy `err` fails the call, `isDisposed` ends
    // it, anything else is one more value of a streamed answer, of which we keep the last.
    if (packet.err) {
      this.settle(id, call);
      call.reject(new RpcRemoteError(packet.err, call.pattern, this.options.label));
    } else if (packet.isDisposed) {
      this.settle(id, call);
      call.resolve('response' in packet ? packet.response : call.last);
    } else {
      call.last = packet.response;
    }
  }

  private settle(id: string, call: PendingCall): void {
    clearTimeout(call.timer);
    this.pending.delete(id);
  }

  private onSocketClose(): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.socket = undefined;
    for (const [id, call] of this.pending) {
      this.settle(id, call);
      call.reject(this.unavailable('connection_lost', call.pattern, true, this.closeCause));
    }
    this.options.onClose(this, wasOpen ? this.closeCause : (this.closeCause ?? new Error('closed before connecting')));
  }

  private unavailable(
    reason: 'connect_failed' | 'connection_lost',
    pattern: string,
    sent: boolean,
    cause?: Error,
  ): RpcUnavailableError {
    return new RpcUnavailableError(reason, pattern, this.options.label, sent, cause ? { cause } : undefined);
  }
}

function packetJson(pattern: string, dataJson: string | undefined, id: string | undefined): string {
  const data = dataJson === undefined ? '' : `,"data":${dataJson}`;
  const idPart = id === undefined ? '' : `,"id":${JSON.stringify(id)}`;
  return `{"pattern":${JSON.stringify(pattern)}${data}${idPart}}`;
}
