import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Inject, type INestMicroservice, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  Ctx,
  EventPattern,
  MessagePattern,
  type MicroserviceOptions,
  Payload,
  RpcException,
  type TcpContext,
  Transport,
} from '@nestjs/microservices';
import { IDENTITY_EVENTS, isRpcErrorPayload, ROADMAP_PATTERNS } from '@northstar/contracts';
import * as net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { RpcClientPool } from './rpc-client-pool.js';
import type { RpcClientPoolOptions } from './rpc-client-pool.options.js';
import { RpcRemoteError } from './rpc-remote.error.js';
import { RpcTimeoutError } from './rpc-timeout.error.js';
import { RpcUnavailableError } from './rpc-unavailable.error.js';

// GIVEN a few NestJS TCP microservices on 127.0.0.x, all on one port (as pods behind a headless
// Service are), and a resolver the test rewrites the way DNS would change.

const INSTANCE = Symbol('INSTANCE');
/** Handler invocations per instance address and pattern name. */
const invocations = new Map<string, number>();
const receivedEvents: Array<{ instance: string; data: unknown }> = [];

function invoked(instance: string, name: string): void {
  const key = `${instance} ${name}`;
  invocations.set(key, (invocations.get(key) ?? 0) + 1);
}

function count(name: string, instance?: string): number {
  let total = 0;
  for (const [key, n] of invocations) {
    const [i, p] = key.split(' ');
    if (p === name && (instance === undefined || i === instance)) total += n;
  }
  return total;
}

interface ItemQuery {
  id: string;
  drop?: boolean;
  sleepMs?: number;
}

@Controller()
class ProbeController {
  constructor(@Inject(INSTANCE) private readonly instance: string) {}

  @MessagePattern(ROADMAP_PATTERNS.ping)
  ping(@Payload() data: unknown): { instance: string; echo: unknown } {
    invoked(this.instance, 'ping');
    return { instance: this.instance, echo: data };
  }

  @MessagePattern(ROADMAP_PATTERNS.findOneItem)
  async findOne(@Payload() query: ItemQuery, @Ctx() ctx: TcpContext): Promise<{ id: string; instance: string }> {
    invoked(this.instance, 'findOneItem');
    if (query.drop) ctx.getSocketRef().netSocket.destroy();
    if (query.sleepMs) await delay(query.sleepMs);
    if (query.id === 'missing') throw new RpcException({ status: 404, code: 'ITEM_NOT_FOUND', message: 'Item not found' });
    return { id: query.id, instance: this.instance };
  }

  @MessagePattern(ROADMAP_PATTERNS.createItem)
  create(@Payload() body: { drop?: boolean }, @Ctx() ctx: TcpContext): { instance: string } {
    invoked(this.instance, 'createItem');
    if (body.drop) ctx.getSocketRef().netSocket.destroy();
    return { instance: this.instance };
  }

  @EventPattern(IDENTITY_EVENTS.subscriptionUpdated)
  subscriptionUpdated(@Payload() data: unknown): void {
    receivedEvents.push({ instance: this.instance, data });
  }
}

function probeModule(instance: string): Type {
  @Module({ controllers: [ProbeController], providers: [{ provide: INSTANCE, useValue: instance }] })
  class ProbeModule {}
  return ProbeModule;
}

class Cluster {
  readonly apps = new Map<string, INestMicroservice>();
  readonly addresses: string[] = [];
  port = 0;

  readonly resolve = async (): Promise<string[]> => [...this.addresses];

  async start(host: string, { publish = true } = {}): Promise<void> {
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(probeModule(host), {
      transport: Transport.TCP,
      options: { host, port: this.port },
      logger: false,
    });
    await app.listen();
    this.port = (app.unwrap<net.Server>().address() as net.AddressInfo).port;
    this.apps.set(host, app);
    if (publish && !this.addresses.includes(host)) this.addresses.push(host);
  }

  async kill(host: string): Promise<void> {
    await this.apps.get(host)?.close();
    this.apps.delete(host);
  }

  async close(): Promise<void> {
    await Promise.all([...this.apps.keys()].map((h) => this.kill(h)));
  }
}

const closers: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
  invocations.clear();
  receivedEvents.length = 0;
});

async function cluster(hosts: string[]): Promise<Cluster> {
  const c = new Cluster();
  closers.push(() => c.close());
  for (const host of hosts) await c.start(host);
  return c;
}

function pool(c: { port: number; resolve: () => Promise<string[]> }, options: Partial<RpcClientPoolOptions> = {}): RpcClientPool {
  const p = new RpcClientPool({
    name: 'roadmap',
    host: 'roadmap-headless',
    port: c.port,
    resolve: c.resolve,
    timeoutMs: 500,
    connectTimeoutMs: 200,
    resolveIntervalMs: 200,
    breakerFailureThreshold: 3,
    breakerCoolDownMs: 200,
    ...options,
  });
  closers.push(() => p.close());
  return p;
}

/** A server that accepts connections, reads everything and never answers. */
async function blackHole(host: string): Promise<{ port: number; resolve: () => Promise<string[]> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as net.AddressInfo).port, resolve: async () => [host] };
}

interface CallRecord {
  start: number;
  end: number;
  instance?: string;
  error?: unknown;
}

/** Runs `call` from `concurrency` loops until `stop()` says so. */
async function load(
  concurrency: number,
  stop: () => boolean,
  call: () => Promise<{ instance: string }>,
): Promise<CallRecord[]> {
  const records: CallRecord[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!stop()) {
        const start = performance.now();
        try {
          const { instance } = await call();
          records.push({ start, end: performance.now(), instance });
        } catch (error) {
          records.push({ start, end: performance.now(), error });
        }
        await delay(1);
      }
    }),
  );
  return records;
}

const THREE = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];

function recordingLogger() {
  const lines: Array<{ level: 'info' | 'warn'; msg: string; endpoint?: unknown }> = [];
  const log = (level: 'info' | 'warn') => (obj: object, msg: string) =>
    lines.push({ level, msg, endpoint: (obj as { endpoint?: unknown }).endpoint });
  return { lines, logger: { info: log('info'), warn: log('warn') } };
}

describe('RpcClientPool against real NestJS TCP microservices', () => {
  it('round-trips a request, carries the error payload and delivers an event to one instance', async () => {
    const c = await cluster(THREE);
    const p = pool(c);

    const data = { title: 'héllo ✓ 😀', n: 1 };
    const answer = await p.send<{ instance: string; echo: unknown }>(ROADMAP_PATTERNS.ping, data);
    expect(answer.echo).toEqual(data);
    expect(THREE).toContain(answer.instance);

    const failure = await p.send(ROADMAP_PATTERNS.findOneItem, { id: 'missing' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RpcRemoteError);
    const payload = (failure as RpcRemoteError).payload;
    expect(payload).toEqual({ status: 404, code: 'ITEM_NOT_FOUND', message: 'Item not found' });
    expect(isRpcErrorPayload(payload)).toBe(true);
    expect(count('findOneItem')).toBe(1); // an application error is an answer: never retried

    const unknown = await p.send({ cmd: 'noSuchPattern' }, {}).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(RpcRemoteError);

    await p.emit(IDENTITY_EVENTS.subscriptionUpdated, { organizationId: 'org-1', plan: 'pro' });
    for (let i = 0; i < 100 && receivedEvents.length === 0; i += 1) await delay(10);
    await delay(50);
    expect(receivedEvents).toHaveLength(1);
    expect(receivedEvents[0]?.data).toEqual({ organizationId: 'org-1', plan: 'pro' });
  });

  it('spreads load within ±25% of the mean', async () => {
    const c = await cluster(THREE);
    const p = pool(c);
    const perInstance = new Map<string, number>();
    let sent = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (sent < 600) {
          sent += 1;
          const { instance } = await p.send<{ instance: string }>(ROADMAP_PATTERNS.ping, {});
          perInstance.set(instance, (perInstance.get(instance) ?? 0) + 1);
        }
      }),
    );
    const mean = 600 / 3;
    expect([...perInstance.keys()].sort()).toEqual(THREE);
    for (const n of perInstance.values()) {
      expect(n).toBeGreaterThanOrEqual(mean * 0.75);
      expect(n).toBeLessThanOrEqual(mean * 1.25);
    }
  });

  it('survives an instance killed mid-load and sends it traffic again when it comes back', async () => {
    const c = await cluster(THREE);
    const timeoutMs = 500;
    const { lines, logger } = recordingLogger();
    const p = pool(c, { timeoutMs, logger });
    await p.start();
    const victim = '127.0.0.3';
    const began = performance.now();
    let killedAt = Number.POSITIVE_INFINITY;
    const stopAt = () => performance.now() > killedAt + timeoutMs + 2500;
    const killer = (async () => {
      await delay(300);
      killedAt = performance.now();
      await c.kill(victim);
    })();
    const [reads, writes] = await Promise.all([
      load(6, stopAt, () => p.send(ROADMAP_PATTERNS.findOneItem, { id: 'a' })),
      load(2, stopAt, () => p.send(ROADMAP_PATTERNS.createItem, { title: 't' })),
      killer,
    ]);
    const all = [...reads, ...writes];

    // No call outlives its timeout (a little slack for the event loop).
    for (const r of all) expect(r.end - r.start).toBeLessThan(timeoutMs + 100);
    // Idempotent reads in flight on the victim were retried elsewhere: none failed.
    expect(reads.filter((r) => r.error)).toEqual([]);
    expect(reads.filter((r) => r.end > killedAt + 50).every((r) => r.instance !== victim)).toBe(true);
    // Writes may fail while in flight on the victim, but errors stop within timeout + 2 s.
    for (const r of writes.filter((w) => w.error)) {
      expect(r.error).toBeInstanceOf(RpcUnavailableError);
      expect(r.end - killedAt).toBeLessThan(timeoutMs + 2000);
    }
    expect(reads.length + writes.length).toBeGreaterThan(100);
    expect(killedAt - began).toBeLessThan(1000);

    // It comes back on the same address: the half-open probe finds it, no new pool needed.
    await c.start(victim);
    const hitsBefore = count('findOneItem', victim);
    const deadline = performance.now() + 2000;
    while (count('findOneItem', victim) === hitsBefore && performance.now() < deadline) {
      await p.send(ROADMAP_PATTERNS.findOneItem, { id: 'b' });
      await delay(5);
    }
    expect(count('findOneItem', victim)).toBeGreaterThan(hitsBefore);
    expect(p.snapshot().find((e) => e.endpoint.startsWith(victim))?.breaker).toBe('closed');
    const victimKey = `${victim}:${c.port}`;
    expect(lines).toContainEqual({ level: 'warn', msg: 'RPC circuit opened', endpoint: victimKey });
    expect(lines).toContainEqual({ level: 'info', msg: 'RPC circuit closed', endpoint: victimKey });
  }, 15_000);

  it('sends traffic to an instance added to DNS within one re-resolve interval, and drains one removed', async () => {
    const c = await cluster(THREE);
    const resolveIntervalMs = 200;
    const { lines, logger } = recordingLogger();
    const p = pool(c, { resolveIntervalMs, logger });
    await p.start();
    const added = '127.0.0.5';
    await c.start(added, { publish: false });

    let firstHit = Number.NaN;
    let publishedAt = Number.POSITIVE_INFINITY;
    const stop = () => !Number.isNaN(firstHit) || performance.now() > publishedAt + 3 * resolveIntervalMs;
    const watcher = (async () => {
      await delay(50);
      c.addresses.push(added);
      publishedAt = performance.now();
    })();
    await Promise.all([
      load(4, stop, async () => {
        const answer = await p.send<{ instance: string }>(ROADMAP_PATTERNS.ping, {});
        if (answer.instance === added && Number.isNaN(firstHit)) firstHit = performance.now();
        return answer;
      }),
      watcher,
    ]);
    expect(firstHit - publishedAt).toBeLessThanOrEqual(resolveIntervalMs + 100);
    expect(p.snapshot()).toHaveLength(4);

    // Removed from DNS while calls are in flight on it: those calls still complete.
    const slow = Promise.all(
      Array.from({ length: 4 }, () => p.send<{ instance: string }>(ROADMAP_PATTERNS.findOneItem, { id: 's', sleepMs: 300 })),
    );
    await delay(20);
    c.addresses.splice(c.addresses.indexOf(added), 1);
    await p.refresh();
    expect(p.snapshot()).toHaveLength(3);
    expect((await slow).map((r) => r.instance).sort()).toEqual([...THREE, added].sort());
    const before = count('ping', added);
    for (let i = 0; i < 30; i += 1) await p.send(ROADMAP_PATTERNS.ping, {});
    expect(count('ping', added)).toBe(before);
    expect(lines.filter((l) => l.endpoint === `${added}:${c.port}`).map((l) => l.msg)).toEqual([
      'RPC endpoint added',
      'RPC endpoint removed',
    ]);
  });

  it('opens the breaker of an endpoint that accepts but never answers; calls then fail in under 50 ms', async () => {
    const hole = await blackHole('127.0.0.6');
    const registry = new Registry();
    const p = pool(hole, { timeoutMs: 100, breakerFailureThreshold: 3, breakerCoolDownMs: 10_000, registry });
    for (let i = 0; i < 3; i += 1) {
      await expect(p.send(ROADMAP_PATTERNS.ping, {})).rejects.toBeInstanceOf(RpcTimeoutError);
    }
    const started = performance.now();
    const error = await p.send(ROADMAP_PATTERNS.ping, {}).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(50);
    expect(error).toBeInstanceOf(RpcUnavailableError);
    expect((error as RpcUnavailableError).reason).toBe('circuit_open');
    const text = await registry.metrics();
    expect(text).toContain(`northstar_rpc_client_breaker_state{service="roadmap",endpoint="127.0.0.6:${hole.port}"} 2`);
    expect(text).toMatch(/northstar_rpc_client_requests_total\{.*outcome="timeout"\} 3/);
    expect(text).toContain('northstar_rpc_client_endpoints{service="roadmap"} 1');
  });

  it('never retries a non-idempotent call, but retries an idempotent one on other endpoints', async () => {
    const c = await cluster(THREE);
    const p = pool(c, { breakerFailureThreshold: 100, maxRetries: 2 });
    for (let i = 0; i < 5; i += 1) {
      const error = await p.send(ROADMAP_PATTERNS.createItem, { drop: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RpcUnavailableError);
      expect((error as RpcUnavailableError).requestSent).toBe(true);
    }
    expect(count('createItem')).toBe(5);

    await expect(p.send(ROADMAP_PATTERNS.findOneItem, { id: 'x', drop: true })).rejects.toBeInstanceOf(RpcUnavailableError);
    expect(count('findOneItem')).toBe(3);
    expect(new Set(THREE.map((h) => count('findOneItem', h)))).toEqual(new Set([1]));

    invocations.clear();
    await expect(p.send(ROADMAP_PATTERNS.createItem, { drop: true }, { idempotent: true })).rejects.toBeInstanceOf(RpcUnavailableError);
    expect(count('createItem')).toBe(3);
  });

  it('caps retries with the retry budget', async () => {
    const c = await cluster(THREE);
    const registry = new Registry();
    const p = pool(c, {
      breakerFailureThreshold: 1000,
      maxRetries: 2,
      retryBudgetRatio: 0.2,
      retryBudgetMinPerSecond: 0,
      retryBackoffBaseMs: 0,
      retryBackoffMaxMs: 0,
      registry,
    });
    const calls = 50;
    for (let i = 0; i < calls; i += 1) {
      await expect(p.send(ROADMAP_PATTERNS.findOneItem, { id: 'x', drop: true })).rejects.toBeInstanceOf(RpcUnavailableError);
    }
    const retries = count('findOneItem') - calls;
    expect(retries).toBeGreaterThanOrEqual(calls * 0.2 - 1);
    expect(retries).toBeLessThanOrEqual(calls * 0.2 + 1);
    expect(await registry.metrics()).toMatch(/northstar_rpc_client_retries_denied_total\{.*\} [1-9]/);
  });

  it('fails fast with a typed error when nothing resolves, and refuses calls after close', async () => {
    const p = pool({ port: 1, resolve: async () => [] });
    const error = await p.send(ROADMAP_PATTERNS.ping, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcUnavailableError);
    expect((error as RpcUnavailableError).reason).toBe('no_endpoint');
    await p.close();
    await expect(p.send(ROADMAP_PATTERNS.ping, {})).rejects.toMatchObject({ reason: 'closed' });
  });

  it('names every invalid option', () => {
    expect(
      () => new RpcClientPool({ name: 'roadmap', host: '', port: 70000, timeoutMs: 100, attemptTimeoutMs: 200, retryBudgetRatio: 2 }),
    ).toThrow(/host must be a non-empty string; port must be an integer from 1 to 65535.*attemptTimeoutMs.*retryBudgetRatio/);
  });
});
