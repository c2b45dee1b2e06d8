import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { HEALTH_PATHS } from '@northstar/contracts';
import { Metrics } from '../metrics/index.js';
import { Lifecycle } from './lifecycle.js';

/** A dependency this pod needs in order to serve, checked by readiness only. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

const CHECK_TIMEOUT_MS = 2000;

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly lifecycle: Lifecycle,
    private readonly metrics: Metrics,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  /** Liveness never looks at dependencies: a database outage must not restart every pod. */
  @Get(HEALTH_PATHS.live)
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get(HEALTH_PATHS.ready)
  @HealthCheck()
  ready() {
    if (!this.lifecycle.ready) {
      throw new ServiceUnavailableException({ status: 'error', error: { lifecycle: { status: 'down', message: 'shutting down' } } });
    }
    return this.health.check(this.checks.map((c) => () => this.run(c)));
  }

  @Get(HEALTH_PATHS.metrics)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.render();
  }

  private async run(c: ReadinessCheck): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(c.name);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        c.check(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
        }),
      ]);
      return session.up();
    } catch (error) {
      return session.down({ message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
