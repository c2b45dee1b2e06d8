import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, type Role } from '@northstar/contracts';
import type { FastifyRequest } from 'fastify';
import { ROLES_KEY } from './auth.decorators.js';

/** Runs after the AuthGuard: a route with @Roles() admits only those roles. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<readonly Role[] | undefined>(ROLES_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (!roles) return true;
    const caller = ctx.switchToHttp().getRequest<FastifyRequest>().caller;
    if (!caller) throw new DomainError('UNAUTHENTICATED', 'Missing bearer token');
    if (!roles.includes(caller.role)) throw new DomainError('FORBIDDEN', `This requires one of the roles: ${roles.join(', ')}`);
    return true;
  }
}
