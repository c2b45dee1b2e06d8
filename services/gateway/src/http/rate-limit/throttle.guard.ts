import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HealthController } from '@northstar/common';
import { DomainError } from '@northstar/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiter, type RateLimitVerdict } from './rate-limiter.js';

const STRICT_THROTTLE = 'northstar:strict-throttle';

/** Also counts the route against the stricter `auth` limit (THROTTLE_AUTH_LIMIT): credential guessing is slow. */
export const StrictThrottle = () => SetMetadata(STRICT_THROTTLE, true);

export class RateLimits {
  constructor(
    readonly general: RateLimiter,
    readonly strict: RateLimiter,
  ) {}
}

/**
 * Per client IP (Fastify's `request.ip`, which honours TRUST_PROXY). Probes and scrapes come
 * from the kubelet and Prometheus, often from one address: health and metrics are never limited.
 */
@Injectable()
export class ThrottleGuard implements CanActivate {
  constructor(private readonly limits: RateLimits) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http' || ctx.getClass() === HealthController) return true;
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const client = request.ip;

    let verdict = this.limits.general.hit(client);
    if (verdict.allowed && Reflect.getMetadata(STRICT_THROTTLE, ctx.getHandler()) === true) {
      verdict = this.limits.strict.hit(client);
    }
    setHeaders(reply, verdict);
    if (!verdict.allowed) {
      void reply.header('retry-after', String(verdict.resetSeconds));
      throw new DomainError('RATE_LIMITED', 'Too many requests; retry later');
    }
    return true;
  }
}

function setHeaders(reply: FastifyReply, v: RateLimitVerdict): void {
  void reply.header('x-ratelimit-limit', String(v.limit));
  void reply.header('x-ratelimit-remaining', String(v.remaining));
  void reply.header('x-ratelimit-reset', String(v.resetSeconds));
}
