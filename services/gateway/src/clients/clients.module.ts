import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { IdentityClient, RoadmapClient } from './downstream.js';
import type { ServiceClient } from './service-client.js';

export interface ServiceClients {
  readonly roadmap: ServiceClient;
  readonly identity: ServiceClient;
}

const SERVICE_CLIENTS = Symbol('SERVICE_CLIENTS');

@Global()
@Module({})
export class ClientsModule implements OnApplicationShutdown {
  constructor(@Inject(SERVICE_CLIENTS) private readonly clients: ServiceClients) {}

  static forRoot(clients: ServiceClients): DynamicModule {
    return {
      module: ClientsModule,
      providers: [
        { provide: SERVICE_CLIENTS, useValue: clients },
        { provide: RoadmapClient, useFactory: () => new RoadmapClient(clients.roadmap) },
        { provide: IdentityClient, useFactory: () => new IdentityClient(clients.identity) },
      ],
      exports: [RoadmapClient, IdentityClient],
    };
  }

  // After the HTTP server closed (Nest calls this hook last), so in-flight requests keep their sockets.
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.clients.roadmap.close(), this.clients.identity.close()]);
  }
}
