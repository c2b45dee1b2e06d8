import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DomainError, type Caller, type Role } from '@northstar/contracts';
import type { FastifyRequest } from 'fastify';

export const PUBLIC_ROUTE = 'northstar:public';
export const ROLES_KEY = 'northstar:roles';

/** The route needs no access token. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only callers with one of these roles pass the RolesGuard (403 otherwise). */
export const Roles = (...roles: readonly Role[]) => SetMetadata(ROLES_KEY, roles);

/** The caller the AuthGuard established from the access token. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<FastifyRequest>().caller;
  if (!caller) throw new DomainError('UNAUTHENTICATED', 'Missing bearer token');
  return caller;
});

/** The session id (`sid`) of the access token. */
export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const sessionId = ctx.switchToHttp().getRequest<FastifyRequest>().sessionId;
  if (!sessionId) throw new DomainError('UNAUTHENTICATED', 'Missing bearer token');
  return sessionId;
});
