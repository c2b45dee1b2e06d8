import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { ROADMAP_PATTERNS, envelope } from '@northstar/contracts';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { Stack } from '../../gateway/test/support/stack.js';

/**
 * The TCP server faces whatever reaches its port. A peer announcing a huge message, or
 * many peers leaving half-sent messages, must neither pin memory nor starve others.
 */
let stack: Stack;
let client: ClientProxy;

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

async function ping(): Promise<unknown> {
  return firstValueFrom(client.send(ROADMAP_PATTERNS.ping, envelope('hostile-test', {})));
}

beforeAll(async () => {
  stack = await Stack.start({}, ['roadmap']);
  client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: stack.ports.roadmap } });
  await ping();
}, 120_000);

afterAll(async () => {
  await client?.close();
  await stack?.stop();
}, 60_000);

describe('roadmap TCP server under hostile peers', () => {
  it('drops a peer that announces a 1 GB message, without buffering it', async () => {
    const pid = stack.pid('roadmap')!;
    const before = await rssMiB(pid);
    const peer = await open(stack.ports.roadmap);
    const closed = new Promise<void>((r) => peer.once('close', () => r()));
    peer.on('error', () => undefined);
    peer.write('1000000000#{"pattern":');
    // Keep streaming until the server hangs up: it must do so once MAX_MESSAGE_BYTES is passed.
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = setInterval(() => {
      if (!peer.destroyed && sent < 64 * 1024 * 1024) {
        peer.write(chunk);
        sent += chunk.length;
      }
    }, 1);
    await closed;
    clearInterval(pump);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    expect(await ping()).toEqual({ ok: true });
    expect((await rssMiB(pid)) - before).toBeLessThan(100);
  }, 30_000);

  it('keeps answering while 50 peers stall half-sent messages, and frees them after the timeout', async () => {
    const pid = stack.pid('roadmap')!;
    const before = await rssMiB(pid);
    const peers = await Promise.all(Array.from({ length: 50 }, () => open(stack.ports.roadmap)));
    const closedAll = Promise.all(peers.map((p) => new Promise<void>((r) => p.once('close', () => r()))));
    for (const p of peers) {
      p.on('error', () => undefined);
      p.write(`1048576#${'{"pattern":"x","data":"'.padEnd(512 * 1024, 'b')}`);
    }
    const started = Date.now();
    for (let i = 0; i < 20; i++) expect(await ping()).toEqual({ ok: true });
    expect((await rssMiB(pid)) - before).toBeLessThan(100);
    // INCOMPLETE_MESSAGE_TIMEOUT_MS (default 5 s) drops every stalled peer.
    await closedAll;
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await ping()).toEqual({ ok: true });
  }, 30_000);
});
