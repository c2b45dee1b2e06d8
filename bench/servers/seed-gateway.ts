import 'reflect-metadata';
import { Body, Controller, Get, Inject, Module, Param, Post, Query, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxy, ClientsModule, Transport } from '@nestjs/microservices';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ROADMAP_PATTERNS, envelope, type Caller } from '@northstar/contracts';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { onParentGone, send, type FromSeed } from '../lib/ipc.js';

/**
 * The baseline: a gateway written the seed article's way. One ClientProxy (one socket) to
 * roadmap, controllers that return its Observable, no auth, no validation, no logging, no
 * request ids beyond the envelope's. The caller is fixed (SEED_CALLER), since there is no auth
 * to establish one. SEED_ADAPTER picks Express (the article's) or Fastify, same code otherwise.
 */

const ROADMAP = 'ROADMAP';
const adapterName = process.env['SEED_ADAPTER'] === 'fastify' ? 'fastify' : 'express';
const roadmapPort = Number(process.env['SEED_ROADMAP_PORT']);
const caller = JSON.parse(process.env['SEED_CALLER'] ?? 'null') as Caller;

@Controller('items')
class ItemsController {
  constructor(@Inject(ROADMAP) private readonly roadmap: ClientProxy) {}

  @Post()
  create(@Body() body: unknown) {
    return this.roadmap.send(ROADMAP_PATTERNS.createItem, envelope(randomUUID(), body, caller));
  }

  @Get()
  findAll(@Query() query: Record<string, string>) {
    return this.roadmap.send(ROADMAP_PATTERNS.findAllItems, envelope(randomUUID(), query, caller));
  }

  @Get(':id')
  findOne(@Param('id') id: string) {
    return this.roadmap.send(ROADMAP_PATTERNS.findOneItem, envelope(randomUUID(), { id }, caller));
  }
}

@Module({
  imports: [ClientsModule.register([{ name: ROADMAP, transport: Transport.TCP, options: { host: '127.0.0.1', port: roadmapPort } }])],
  controllers: [ItemsController],
})
class SeedModule {}

async function main(): Promise<void> {
  const app: INestApplication =
    adapterName === 'fastify'
      ? await NestFactory.create(SeedModule, new FastifyAdapter(), { logger: false })
      : await NestFactory.create(SeedModule, new ExpressAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as { address(): AddressInfo };
  onParentGone(() => void app.close().finally(() => process.exit(0)));
  process.on('message', () => void app.close().finally(() => process.exit(0)));
  await send<FromSeed>({ type: 'listening', port: server.address().port });
}

main().catch((error: unknown) => {
  process.stderr.write(`seed gateway (${adapterName}) failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
