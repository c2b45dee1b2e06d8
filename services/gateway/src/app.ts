import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  GracefulShutdown,
  Lifecycle,
  Metrics,
  NestPinoLogger,
  acceptOrCreateRequestId,
  createValidationPipe,
  type Logger,
} from '@northstar/common';
import { GATEWAY, REQUEST_ID_HEADER } from '@northstar/contracts';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module.js';
import type { ServiceClients } from './clients/clients.module.js';
import { createServiceClients } from './clients/create-service-clients.js';
import type { GatewayConfig } from './config.js';
import { HttpExceptionFilter } from './http/http-exception.filter.js';
import { installRequestHooks } from './http/request-hooks.js';
import { securityHeaders } from './http/security-headers.js';
import './http/request-augmentation.js';
import { setupSwagger } from './swagger.js';

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  /** @default RpcClientPools to the addresses in `config` */
  readonly clients?: ServiceClients;
  /**
   * Serve Swagger UI at /api (the document at /api-json is always served). Its assets come
   * through @fastify/static, which needs require(esm): Node runs it, jest's ESM mode on Node 20 cannot.
   * @default true
   */
  readonly swaggerUi?: boolean;
}

export interface Gateway {
  readonly app: NestFastifyApplication;
  readonly lifecycle: Lifecycle;
  readonly metrics: Metrics;
  /** Listens on `config.host:config.port` and resolves with the bound port. */
  listen(): Promise<number>;
  /** Readiness 503 → wait `delayMs` → refuse new requests → drain → close the server and the clients. */
  shutdown(delayMs?: number): Promise<void>;
  installSignalHandlers(): void;
}

export async function createGateway({ config, logger, clients: given, swaggerUi = true }: GatewayOptions): Promise<Gateway> {
  const lifecycle = new Lifecycle();
  const metrics = new Metrics(GATEWAY.name);
  const clients = given ?? createServiceClients(config, metrics, logger);

  const adapter = new FastifyAdapter({
    logger: false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: (raw: IncomingMessage) => acceptOrCreateRequestId(raw.headers[REQUEST_ID_HEADER]),
  });
  installRequestHooks(adapter.getInstance(), { logger, metrics, lifecycle });
  const helmetHeaders = securityHeaders({
    contentSecurityPolicy: {
      directives: {
        // Swagger UI loads its scripts from 'self' but styles itself inline and draws icons from data: URIs.
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        // The API is reached over plain HTTP in development and through kubectl port-forward.
        upgradeInsecureRequests: null,
      },
    },
  });
  adapter.getInstance().addHook('onRequest', (_request, reply, done) => {
    void reply.headers(helmetHeaders);
    done();
  });

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, logger, lifecycle, metrics, clients }),
    adapter,
    { logger: new NestPinoLogger(logger), rawBody: true, abortOnError: false },
  );
  app.enableCors({
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', REQUEST_ID_HEADER],
    exposedHeaders: [REQUEST_ID_HEADER],
    maxAge: 600,
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter(logger));
  setupSwagger(app, swaggerUi);
  await app.init();

  const graceful = new GracefulShutdown({
    lifecycle,
    logger,
    delayMs: config.shutdownDelayMs,
    drainTimeoutMs: config.drainTimeoutMs,
    // HTTP clients are told by `Connection: close`; nothing to wait for.
    lingerMs: 0,
    // Once draining, the onRequest hook answers new requests 503 with `Connection: close`.
    stopAccepting: () => undefined,
    close: () => app.close(),
  });

  return {
    app,
    lifecycle,
    metrics,
    listen: async () => {
      await app.listen({ port: config.port, host: config.host });
      return (app.getHttpServer().address() as AddressInfo).port;
    },
    shutdown: (delayMs?: number) => graceful.run('requested', delayMs),
    installSignalHandlers: () => graceful.installSignalHandlers(),
  };
}
