import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HealthController } from '@northstar/common';
import { DomainError } from '@northstar/contracts';
import type { FastifyRequest } from 'fastify';
import { PUBLIC_ROUTE } from './auth.decorators.js';
import { TokenVerifier } from './token-verifier.js';

const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/;

/** Every route needs a valid access token unless it is marked @Public() (health and metrics are). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http' || ctx.getClass() === HealthController) return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [ctx.getHandler(), ctx.getClass()])) return true;

    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match?.[1]) throw new DomainError('UNAUTHENTICATED', 'Missing bearer token');

    const { caller, sessionId } = await this.verifier.verify(match[1]);
    request.caller = caller;
    request.sessionId = sessionId;
    if (request.requestContext) {
      request.requestContext.userId = caller.userId;
      request.requestContext.organizationId = caller.organizationId;
    }
    return true;
  }
}
