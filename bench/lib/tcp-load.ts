import { connect, type Socket } from 'node:net';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { LatencyRecorder, errorText, type LoadResult } from './stats.js';

export type Call = () => Promise<unknown>;

/** `inFlight` callers, each sending its next call as soon as the previous one is answered. */
export async function closedLoop(call: Call, inFlight: number, seconds: number): Promise<LoadResult> {
  const recorder = new LatencyRecorder();
  const started = performance.now();
  const end = started + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const sent = performance.now();
      try {
        await call();
        recorder.record(performance.now() - sent);
      } catch (error) {
        recorder.fail(errorText(error));
        // A call that fails at once must not spin the loop and starve the event loop.
        await nextTurn();
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return recorder.result((performance.now() - started) / 1000);
}

export async function measureClosed(call: Call, inFlight: number, warmupSeconds: number, seconds: number): Promise<LoadResult> {
  if (warmupSeconds > 0) await closedLoop(call, inFlight, warmupSeconds);
  return closedLoop(call, inFlight, seconds);
}

/**
 * Open loop at a fixed rate: calls start on a ~1 ms timer whether or not earlier ones
 * returned (a timer, not a busy loop, so the client does not take a core from the servers
 * on a 2-core machine). Latency is from each call's actual send.
 */
export async function pacedLoop(call: Call, rate: number, seconds: number, maxInFlight = 2048): Promise<LoadResult> {
  const recorder = new LatencyRecorder();
  const started = performance.now();
  const end = started + seconds * 1000;
  let sent = 0;
  let inFlight = 0;
  let skipped = 0;
  const pending = new Set<Promise<void>>();
  const fire = (): void => {
    const at = performance.now();
    inFlight++;
    const p = call().then(
      () => recorder.record(performance.now() - at),
      (error: unknown) => recorder.fail(errorText(error)),
    );
    const tracked = p.finally(() => {
      inFlight--;
      pending.delete(tracked);
    });
    pending.add(tracked);
  };
  for (let now = performance.now(); now < end; now = performance.now()) {
    const due = Math.floor(((now - started) / 1000) * rate);
    while (sent < due) {
      sent++;
      if (inFlight >= maxInFlight) skipped++;
      else fire();
    }
    await sleep(1);
  }
  await Promise.all(pending);
  const result = recorder.result(seconds);
  if (skipped > 0) result.failures.push(`${skipped} calls not sent: ${maxInFlight} already in flight`);
  return { ...result, failed: result.failed + skipped };
}

/**
 * A raw-socket round trip, nothing else: frames of [u32 body length][u32 reply length][body],
 * answered by [u32 reply length][reply] (servers/baselines.ts). One socket, many calls in
 * flight, answered in order; no JSON, no ids, no framing by text.
 */
export class RawFrameClient {
  private readonly waiting: Array<(reply: Buffer) => void> = [];
  private chunks: Buffer[] = [];
  private length = 0;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RawFrameClient> {
    const socket = connect({ port, host });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawFrameClient(socket);
  }

  /** Sends `body`; the server answers with `replyLength` bytes (`body` itself when equal). */
  request(body: Buffer, replyLength = body.length): Promise<Buffer> {
    const header = Buffer.allocUnsafe(8);
    header.writeUInt32BE(body.length, 0);
    header.writeUInt32BE(replyLength, 4);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(Buffer.concat([header, body], 8 + body.length));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  /** Joins chunks once per frame: concatenating on every chunk would copy a 1 MiB reply ~16 times. */
  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    while (this.length >= 4) {
      if (this.chunks[0]!.length < 4) this.chunks = [Buffer.concat(this.chunks, this.length)];
      const need = 4 + this.chunks[0]!.readUInt32BE(0);
      if (this.length < need) return;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
      const rest = all.subarray(need);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.length = rest.length;
      this.waiting.shift()?.(all.subarray(4, need));
    }
  }
}

