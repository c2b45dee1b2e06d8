import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { HealthModule, type Lifecycle, type Logger, type Metrics } from '@northstar/common';
import { IDENTITY_PATTERNS, type OrganizationDto } from '@northstar/contracts';
import type { JSONWebKeySet } from 'jose';
import { AuthController } from './auth/auth.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { JwksKeyStore } from './auth/jwks-key-store.js';
import { RolesGuard } from './auth/roles.guard.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { ClientsModule, type ServiceClients } from './clients/clients.module.js';
import { IdentityClient } from './clients/downstream.js';
import type { GatewayConfig } from './config.js';
import { RateLimiter } from './http/rate-limit/rate-limiter.js';
import { RateLimits, ThrottleGuard } from './http/rate-limit/throttle.guard.js';
import { ItemsController } from './items/items.controller.js';
import { MembersController } from './members/members.controller.js';
import { OrganizationController } from './organization/organization.controller.js';
import { PlanCache } from './organization/plan-cache.js';
import { BillingWebhookVerifier } from './webhook/billing-webhook.verifier.js';
import { WebhookController } from './webhook/webhook.controller.js';

export interface AppModuleOptions {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly metrics: Metrics;
  readonly clients: ServiceClients;
}

@Module({})
export class AppModule {
  static forRoot({ config, logger, lifecycle, metrics, clients }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Readiness is only "not shutting down": the gateway itself needs nothing else to serve.
        // Failing it when a downstream is down would pull every gateway pod out of the Service at
        // once, turning a partial outage (items down, auth up) into a total one and losing the
        // JSON 503s clients can act on.
        HealthModule.forRoot({ lifecycle, metrics }),
        ClientsModule.forRoot(clients),
      ],
      controllers: [AuthController, MembersController, ItemsController, OrganizationController, WebhookController],
      providers: [
        {
          provide: JwksKeyStore,
          inject: [IdentityClient],
          useFactory: (identity: IdentityClient) =>
            new JwksKeyStore({
              fetch: () => identity.send<JSONWebKeySet>(IDENTITY_PATTERNS.jwks, {}),
              ttlMs: config.jwksCacheTtlMs,
              minRefetchMs: config.jwksMinRefetchMs,
              logger,
            }),
        },
        {
          provide: PlanCache,
          inject: [IdentityClient],
          useFactory: (identity: IdentityClient) =>
            new PlanCache({
              load: async (caller) => (await identity.send<OrganizationDto>(IDENTITY_PATTERNS.getOrganization, {}, caller)).plan,
              ttlMs: config.planCacheTtlMs,
            }),
        },
        { provide: TokenVerifier, inject: [JwksKeyStore], useFactory: (keys: JwksKeyStore) => new TokenVerifier(keys.getKey) },
        {
          provide: BillingWebhookVerifier,
          useFactory: () => new BillingWebhookVerifier({ secret: config.webhookSecret, toleranceSeconds: config.webhookToleranceSeconds }),
        },
        {
          provide: RateLimits,
          useFactory: () =>
            new RateLimits(
              new RateLimiter({ limit: config.throttleLimit, windowMs: config.throttleTtlMs }),
              new RateLimiter({ limit: config.throttleAuthLimit, windowMs: config.throttleTtlMs }),
            ),
        },
        // Order matters: throttle before verifying tokens, authenticate before checking roles.
        { provide: APP_GUARD, useClass: ThrottleGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
      ],
    };
  }
}
