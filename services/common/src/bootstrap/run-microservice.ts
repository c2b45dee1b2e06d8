import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TcpService } from '@northstar/contracts';
import type { AddressInfo, Server, Socket } from 'node:net';
import { AllRpcExceptionsFilter, createValidationPipe } from '../errors/index.js';
import { HealthModule, Lifecycle, type ReadinessCheck } from '../health/index.js';
import { NestPinoLogger, type Logger } from '../logging/index.js';
import { Metrics } from '../metrics/index.js';
import { RpcServerInterceptor } from '../rpc-server/index.js';
import { GracefulShutdown } from './graceful-shutdown.js';

export interface MicroserviceRuntimeConfig {
  readonly host: string;
  readonly port: number;
  readonly healthPort: number;
  readonly shutdownDelayMs: number;
  readonly drainTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly incompleteMessageTimeoutMs: number;
  readonly maxSendBufferBytes: number;
}

export interface RunMicroserviceOptions {
  readonly service: TcpService;
  /** The service's feature module (handlers and their providers). */
  readonly module: Type | DynamicModule;
  readonly config: MicroserviceRuntimeConfig;
  readonly logger: Logger;
  readonly readiness?: ReadinessCheck[];
  /** Runs after the servers closed: close the database here. */
  readonly onClose?: () => Promise<void>;
  /** @default true */
  readonly handleSignals?: boolean;
}

export interface RunningMicroservice {
  readonly tcpPort: number;
  readonly healthPort: number;
  readonly lifecycle: Lifecycle;
  readonly metrics: Metrics;
  shutdown(delayMs?: number): Promise<void>;
}

/**
 * One process, two listeners: the NestJS TCP message server and a small HTTP server
 * for probes and metrics, so Kubernetes checks health over plain HTTP.
 */
export async function runMicroservice(options: RunMicroserviceOptions): Promise<RunningMicroservice> {
  const { service, config, logger } = options;
  const started = Date.now();
  const lifecycle = new Lifecycle();
  const metrics = new Metrics(service.name);
  const readiness = options.readiness ?? [];

  const nestLogger = new NestPinoLogger(logger);
  // Two small apps rather than one hybrid: a hybrid app registers its message handlers
  // before global pipes and filters can be set, and the HTTP side must not inherit them.
  const microservice = await NestFactory.createMicroservice<MicroserviceOptions>(options.module, {
    transport: Transport.TCP,
    options: {
      host: config.host,
      port: config.port,
      maxBufferSize: config.maxMessageBytes,
      incompleteMessageTimeout: config.incompleteMessageTimeoutMs,
      maxSendBufferSize: config.maxSendBufferBytes,
    },
    logger: nestLogger,
    abortOnError: false,
  });
  microservice.useGlobalPipes(createValidationPipe());
  microservice.useGlobalFilters(new AllRpcExceptionsFilter(logger));
  microservice.useGlobalInterceptors(new RpcServerInterceptor(lifecycle, metrics, logger));
  await microservice.listen();

  const http = await NestFactory.create<NestFastifyApplication>(
    HealthModule.forRoot({ lifecycle, metrics, checks: { inject: [], useFactory: () => readiness } }),
    new FastifyAdapter({ logger: false }),
    { logger: nestLogger, abortOnError: false },
  );
  await http.listen({ port: config.healthPort, host: config.host });

  const tcpServer = microservice.unwrap<Server>();
  const sockets = new Set<Socket>();
  tcpServer.on('connection', (socket: Socket) => {
    // Nest's server leaves Nagle on: a reply written while the previous one is unacknowledged
    // waits for that ACK, up to the peer's 40 ms delayed ACK when the caller has nothing to send.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const tcpPort = (tcpServer.address() as AddressInfo).port;
  const healthPort = (http.getHttpServer().address() as AddressInfo).port;

  const shutdown = new GracefulShutdown({
    lifecycle,
    logger,
    delayMs: config.shutdownDelayMs,
    drainTimeoutMs: config.drainTimeoutMs,
    lingerMs: 500,
    stopAccepting: () => {
      tcpServer.close();
    },
    close: async () => {
      await endGracefully(sockets, 1000);
      await microservice.close();
      await http.close();
      await options.onClose?.();
    },
  });
  if (options.handleSignals ?? true) shutdown.installSignalHandlers();

  logger.info({ tcpPort, healthPort, startMs: Date.now() - started, sinceProcessStartMs: Math.round(process.uptime() * 1000) }, `${service.name} ready`);
  return {
    tcpPort,
    healthPort,
    lifecycle,
    metrics,
    shutdown: (delayMs?: number) => shutdown.run('requested', delayMs),
  };
}

/** Lets replies already written reach the peer (FIN, not RST) before Nest destroys the sockets. */
async function endGracefully(sockets: Set<Socket>, timeoutMs: number): Promise<void> {
  await Promise.all(
    [...sockets].map(
      (socket) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.end();
        }),
    ),
  );
}
