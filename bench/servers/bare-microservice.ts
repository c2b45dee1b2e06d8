import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { onParentGone, send, type FromSeed } from '../lib/ipc.js';

/**
 * NestJS's TCP transport and nothing else: one handler echoing its payload, no interceptor,
 * no validation, no logging, no database. Against the raw-socket round trip it prices the
 * transport itself; against roadmap's ping it prices our per-message work.
 */

@Controller()
class EchoController {
  @MessagePattern({ cmd: 'echo' })
  echo(@Payload() data: unknown): unknown {
    return data;
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

async function main(): Promise<void> {
  const port = Number(process.env['BARE_PORT']);
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(EchoModule, {
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port },
    logger: false,
  });
  await app.listen();
  const stop = () => void app.close().finally(() => process.exit(0));
  onParentGone(stop);
  process.on('message', stop);
  await send<FromSeed>({ type: 'listening', port });
}

main().catch((error: unknown) => {
  process.stderr.write(`bare microservice failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
