import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Module } from '@nestjs/common';
import { ClientProxyFactory, MessagePattern, Transport, type ClientProxy } from '@nestjs/microservices';
import { DomainError, ROADMAP, envelope, ItemIdDto, type Caller } from '@northstar/contracts';
import { firstValueFrom } from 'rxjs';
import { Writable } from 'node:stream';
import { createLogger } from '../logging/index.js';
import { MessageCaller, MessageData } from '../rpc-server/index.js';
import { runMicroservice, type RunningMicroservice } from './run-microservice.js';

const released: Array<() => void> = [];

@Controller()
class ProbeHandlers {
  @MessagePattern({ cmd: 'findOneItem' })
  findOne(@MessageData() dto: ItemIdDto, @MessageCaller() caller: Caller) {
    if (dto.id === '00000000-0000-4000-8000-000000000000') throw new DomainError('ITEM_NOT_FOUND', 'No such item');
    return { id: dto.id, org: caller.organizationId };
  }

  @MessagePattern({ cmd: 'explode' })
  explode(): never {
    throw new Error('connection string postgres://secret@db leaked?');
  }

  @MessagePattern({ cmd: 'slow' })
  slow(): Promise<string> {
    return new Promise((resolve) => released.push(() => resolve('finished')));
  }
}

@Module({ controllers: [ProbeHandlers] })
class ProbeModule {}

const caller: Caller = { userId: 'u1', organizationId: 'o1', role: 'member' };
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _e, done) {
    for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});

let running: RunningMicroservice | undefined;
let client: ClientProxy | undefined;

async function start(overrides: Partial<{ shutdownDelayMs: number }> = {}) {
  running = await runMicroservice({
    service: ROADMAP,
    module: ProbeModule,
    logger: createLogger('roadmap', 'debug', sink),
    handleSignals: false,
    config: {
      host: '127.0.0.1',
      port: 0,
      healthPort: 0,
      shutdownDelayMs: overrides.shutdownDelayMs ?? 0,
      drainTimeoutMs: 5000,
      maxMessageBytes: 64 * 1024,
      incompleteMessageTimeoutMs: 1000,
      maxSendBufferBytes: 1024 * 1024,
    },
  });
  client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: running.tcpPort } });
  return running;
}

function call<T>(cmd: string, data: unknown, requestId = 'req-test'): Promise<T> {
  return firstValueFrom(client!.send<T>({ cmd }, envelope(requestId, data, caller)));
}

async function health(path: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${running!.healthPort}${path}`);
  return res.status;
}

afterEach(async () => {
  released.splice(0).forEach((r) => r());
  await client?.close();
  await running?.shutdown(0);
  running = undefined;
  client = undefined;
});

describe('runMicroservice', () => {
  it('answers a valid message and logs it under the caller\'s request id', async () => {
    await start();
    const id = '6f1c1d3e-4b6a-4f8e-9a43-3c1f1b2a7d10';
    await expect(call('findOneItem', { id }, 'req-abc')).resolves.toEqual({ id, org: 'o1' });
    expect(lines.some((l) => l['requestId'] === 'req-abc' && l['msg'] === 'message handled' && l['outcome'] === 'ok')).toBe(true);
  });

  it('refuses an invalid DTO or an unknown field with a coded 400', async () => {
    await start();
    await expect(call('findOneItem', { id: 'nope' })).rejects.toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    await expect(call('findOneItem', { id: '6f1c1d3e-4b6a-4f8e-9a43-3c1f1b2a7d10', extra: 1 })).rejects.toMatchObject({
      status: 400,
      message: ['property extra should not exist'],
    });
  });

  it('carries a domain error\'s status and code across the wire', async () => {
    await start();
    await expect(call('findOneItem', { id: '00000000-0000-4000-8000-000000000000' })).rejects.toEqual({
      status: 404,
      code: 'ITEM_NOT_FOUND',
      message: 'No such item',
    });
  });

  it('turns an unknown error into a 500 that reveals nothing', async () => {
    await start();
    const error = await call('explode', {}).catch((e: unknown) => e);
    expect(error).toEqual({ status: 500, code: 'INTERNAL', message: 'Internal server error' });
    expect(JSON.stringify(error)).not.toContain('postgres');
  });

  it('serves liveness, readiness and Prometheus metrics over HTTP', async () => {
    await start();
    expect(await health('/health/live')).toBe(200);
    expect(await health('/health/ready')).toBe(200);
    await call('findOneItem', { id: '6f1c1d3e-4b6a-4f8e-9a43-3c1f1b2a7d10' });
    const text = await (await fetch(`http://127.0.0.1:${running!.healthPort}/metrics`)).text();
    expect(text).toMatch(/northstar_rpc_server_duration_seconds_count\{[^}]*pattern="\{\\?"cmd\\?":\\?"findOneItem\\?"\}"[^}]*outcome="ok"/);
  });

  it('on shutdown: readiness 503 during the delay, in-flight work finishes, new calls are refused as SHUTTING_DOWN', async () => {
    const svc = await start({ shutdownDelayMs: 300 });
    const inFlight = call<string>('slow', {});
    await new Promise((r) => setTimeout(r, 50));
    const done = svc.shutdown();
    await new Promise((r) => setTimeout(r, 50));
    expect(await health('/health/ready')).toBe(503);
    expect(await health('/health/live')).toBe(200);
    await new Promise((r) => setTimeout(r, 350));
    await expect(call('findOneItem', { id: '6f1c1d3e-4b6a-4f8e-9a43-3c1f1b2a7d10' })).rejects.toMatchObject({ status: 503, code: 'SHUTTING_DOWN' });
    released.splice(0).forEach((r) => r());
    await expect(inFlight).resolves.toBe('finished');
    await done;
    await expect(fetch(`http://127.0.0.1:${svc.healthPort}/health/live`)).rejects.toThrow();
  });
});
