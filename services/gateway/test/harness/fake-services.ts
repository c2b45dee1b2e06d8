import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { AllRpcExceptionsFilter, MessageCaller, MessageData, createLogger, createValidationPipe } from '@northstar/common';
import {
  CreateItemMessage,
  DomainError,
  IDENTITY_EVENTS,
  IDENTITY_PATTERNS,
  ItemIdDto,
  ListItemsQueryDto,
  LoginDto,
  LogoutMessage,
  MemberIdDto,
  ROADMAP_PATTERNS,
  RegisterDto,
  SubscriptionUpdatedEvent,
  UpdateItemMessage,
  type Caller,
  type ItemDto,
  type RpcEnvelope,
} from '@northstar/contracts';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';

/** What a fake service received, for assertions on the envelope. */
export class Recorder {
  readonly messages: Array<{ pattern: string; envelope: RpcEnvelope<unknown> }> = [];
  record(pattern: string, envelope: unknown): void {
    this.messages.push({ pattern, envelope: envelope as RpcEnvelope<unknown> });
  }
  last(pattern: string): RpcEnvelope<unknown> | undefined {
    return this.messages.filter((m) => m.pattern === pattern).at(-1)?.envelope;
  }
}

export interface FakeService {
  readonly port: number;
  readonly recorder: Recorder;
  close(): Promise<void>;
}

async function start(module: unknown, recorder: Recorder): Promise<FakeService> {
  const logger = createLogger('fake', 'silent');
  const app: INestMicroservice = await NestFactory.createMicroservice<MicroserviceOptions>(module as never, {
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port: 0 },
    logger: false,
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllRpcExceptionsFilter(logger));
  await app.listen();
  const port = (app.unwrap<Server>().address() as AddressInfo).port;
  return { port, recorder, close: () => app.close() };
}

/** A small identity: the patterns the gateway calls, answering from memory. */
export function startFakeIdentity(jwks: () => JWK[]): Promise<FakeService> {
  const recorder = new Recorder();

  @Controller()
  class IdentityHandlers {
    @MessagePattern(IDENTITY_PATTERNS.jwks)
    keys(@Payload() envelope: unknown) {
      recorder.record('jwks', envelope);
      return { keys: jwks() };
    }

    @MessagePattern(IDENTITY_PATTERNS.register)
    register(@MessageData() dto: RegisterDto, @Payload() envelope: unknown) {
      recorder.record('register', envelope);
      const user = { id: randomUUID(), email: dto.email, name: dto.name, role: 'owner', organizationId: randomUUID() };
      return { accessToken: 'a', refreshToken: 'r', expiresIn: 900, user };
    }

    @MessagePattern(IDENTITY_PATTERNS.login)
    login(@MessageData() dto: LoginDto, @Payload() envelope: unknown) {
      recorder.record('login', envelope);
      if (dto.password !== 'correct horse battery') throw new DomainError('INVALID_CREDENTIALS', 'Wrong email or password');
      return { accessToken: 'a', refreshToken: 'r', expiresIn: 900 };
    }

    @MessagePattern(IDENTITY_PATTERNS.logout)
    logout(@MessageData() dto: LogoutMessage, @MessageCaller() caller: Caller, @Payload() envelope: unknown) {
      recorder.record('logout', envelope);
      return { sessionId: dto.sessionId, userId: caller.userId };
    }

    @MessagePattern(IDENTITY_PATTERNS.me)
    me(@MessageCaller() caller: Caller, @Payload() envelope: unknown) {
      recorder.record('me', envelope);
      return { id: caller.userId, email: 'me@example.test', name: 'Me', role: caller.role, organizationId: caller.organizationId };
    }

    @MessagePattern(IDENTITY_PATTERNS.getOrganization)
    organization(@MessageCaller() caller: Caller) {
      return { id: caller.organizationId, name: 'Acme', plan: 'pro' };
    }

    @MessagePattern(IDENTITY_PATTERNS.removeMember)
    removeMember(@MessageData() message: MemberIdDto, @Payload() envelope: unknown) {
      recorder.record('removeMember', envelope);
      if (message.id === '00000000-0000-4000-8000-000000000000') throw new DomainError('LAST_OWNER', 'The last owner cannot be removed');
    }

    @EventPattern(IDENTITY_EVENTS.subscriptionUpdated)
    subscriptionUpdated(@MessageData() _event: SubscriptionUpdatedEvent, @Payload() envelope: unknown) {
      recorder.record('subscriptionUpdated', envelope);
    }
  }

  @Module({ controllers: [IdentityHandlers] })
  class FakeIdentityModule {}

  return start(FakeIdentityModule, recorder);
}

/** A small roadmap keeping items in a Map. */
export function startFakeRoadmap(): Promise<FakeService> {
  const recorder = new Recorder();
  const items = new Map<string, ItemDto>();

  @Controller()
  class RoadmapHandlers {
    @MessagePattern(ROADMAP_PATTERNS.createItem)
    create(@MessageData() dto: CreateItemMessage, @MessageCaller() caller: Caller, @Payload() envelope: unknown): ItemDto {
      recorder.record('createItem', envelope);
      const now = new Date().toISOString();
      const item: ItemDto = {
        id: randomUUID(),
        organizationId: caller.organizationId,
        title: dto.title,
        description: dto.description ?? '',
        status: dto.status ?? 'idea',
        reach: null,
        impact: null,
        confidence: null,
        effort: null,
        score: null,
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      items.set(item.id, item);
      return item;
    }

    @MessagePattern(ROADMAP_PATTERNS.findAllItems)
    list(@MessageData() query: ListItemsQueryDto, @MessageCaller() caller: Caller, @Payload() envelope: unknown) {
      recorder.record('findAllItems', envelope);
      const mine = [...items.values()].filter((i) => i.organizationId === caller.organizationId && (!query.status || i.status === query.status));
      return { items: mine.slice(0, query.limit ?? 20), nextCursor: null };
    }

    @MessagePattern(ROADMAP_PATTERNS.findOneItem)
    findOne(@MessageData() { id }: ItemIdDto, @MessageCaller() caller: Caller): ItemDto {
      const item = items.get(id);
      if (!item || item.organizationId !== caller.organizationId) throw new DomainError('ITEM_NOT_FOUND', 'Item not found');
      return item;
    }

    @MessagePattern(ROADMAP_PATTERNS.updateItem)
    update(@MessageData() message: UpdateItemMessage, @MessageCaller() caller: Caller, @Payload() envelope: unknown): ItemDto {
      recorder.record('updateItem', envelope);
      const item = items.get(message.id);
      if (!item || item.organizationId !== caller.organizationId) throw new DomainError('ITEM_NOT_FOUND', 'Item not found');
      if (item.version !== message.version) throw new DomainError('VERSION_CONFLICT', 'Item was changed by someone else');
      const { id: _id, version: _version, ...change } = message;
      const updated = { ...item, ...change, version: item.version + 1, updatedAt: new Date().toISOString() };
      items.set(item.id, updated);
      return updated;
    }

    @MessagePattern(ROADMAP_PATTERNS.deleteItem)
    remove(@MessageData() { id }: ItemIdDto, @MessageCaller() caller: Caller): void {
      const item = items.get(id);
      if (!item || item.organizationId !== caller.organizationId) throw new DomainError('ITEM_NOT_FOUND', 'Item not found');
      items.delete(id);
    }
  }

  @Module({ controllers: [RoadmapHandlers] })
  class FakeRoadmapModule {}

  return start(FakeRoadmapModule, recorder);
}

/** Accepts connections and reads, but never answers: every call to it times out. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
