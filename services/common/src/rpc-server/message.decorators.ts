import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DomainError, type Caller, type RpcEnvelope } from '@northstar/contracts';

function envelopeOf(ctx: ExecutionContext): Partial<RpcEnvelope<unknown>> {
  const payload: unknown = ctx.switchToRpc().getData();
  return typeof payload === 'object' && payload !== null ? (payload) : {};
}

/** The DTO half of the envelope; the global ValidationPipe validates it against the parameter's class. */
export const MessageData = createParamDecorator((_: unknown, ctx: ExecutionContext) => envelopeOf(ctx).data);

/** The caller the gateway authenticated. A message without one is refused. */
export const MessageCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = envelopeOf(ctx).meta?.caller;
  if (!caller?.userId || !caller.organizationId || !caller.role) throw new DomainError('UNAUTHENTICATED', 'No caller on the message');
  return caller;
});
