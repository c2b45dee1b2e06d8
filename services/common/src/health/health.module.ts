import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Metrics } from '../metrics/index.js';
import { HealthController, READINESS_CHECKS, type ReadinessCheck } from './health.controller.js';
import { Lifecycle } from './lifecycle.js';

export interface HealthModuleOptions {
  readonly lifecycle: Lifecycle;
  readonly metrics: Metrics;
  /** Providers of ReadinessCheck, resolved by Nest (e.g. the database). */
  readonly checks?: { inject: unknown[]; useFactory: (...deps: never[]) => ReadinessCheck[] };
}

@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions): DynamicModule {
    const checks: Provider = options.checks
      ? { provide: READINESS_CHECKS, inject: options.checks.inject as never[], useFactory: options.checks.useFactory }
      : { provide: READINESS_CHECKS, useValue: [] };
    return {
      module: HealthModule,
      global: true,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        { provide: Lifecycle, useValue: options.lifecycle },
        { provide: Metrics, useValue: options.metrics },
        checks,
      ],
      exports: [Lifecycle, Metrics],
    };
  }
}
