import { Controller, Headers, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  DomainError,
  IDENTITY_EVENTS,
  PLANS,
  SUBSCRIPTION_UPDATED,
  WEBHOOK_SIGNATURE_HEADER,
  type Plan,
  type SubscriptionUpdatedEvent,
} from '@northstar/contracts';
import type { FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { IdentityClient } from '../clients/downstream.js';
import { PlanCache } from '../organization/plan-cache.js';
import { BillingWebhookVerifier } from './billing-webhook.verifier.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface WebhookAck {
  received: true;
  ignored?: true;
}

@ApiTags('webhook')
@Controller('webhook')
export class WebhookController {
  constructor(
    private readonly verifier: BillingWebhookVerifier,
    private readonly identity: IdentityClient,
    private readonly plans: PlanCache,
  ) {}

  /** The body is read raw (not through the ValidationPipe): the signature covers the exact bytes sent. */
  @Public()
  @Post('billing')
  @HttpCode(HttpStatus.OK)
  @ApiHeader({ name: WEBHOOK_SIGNATURE_HEADER, required: true, description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['id', 'type', 'data'],
      properties: {
        id: { type: 'string' },
        type: { type: 'string', example: SUBSCRIPTION_UPDATED },
        data: {
          type: 'object',
          properties: { organizationId: { type: 'string', format: 'uuid' }, plan: { type: 'string', enum: [...PLANS] } },
        },
      },
    },
  })
  @ApiOkResponse({ description: '{received: true}, plus ignored: true for event types the gateway does not handle' })
  async billing(@Req() request: FastifyRequest, @Headers(WEBHOOK_SIGNATURE_HEADER) signature: string | undefined): Promise<WebhookAck> {
    const claimed = this.verifier.admit(signature, request.rawBody);
    const event = parseEvent(request.body);
    if (event.kind === 'other') return { received: true, ignored: true };

    const message: SubscriptionUpdatedEvent = { organizationId: event.organizationId, plan: event.plan, eventId: event.id };
    try {
      await this.identity.emit(IDENTITY_EVENTS.subscriptionUpdated, message);
    } catch (error) {
      this.verifier.release(claimed);
      throw error;
    }
    // identity applies the event a moment later; until it does, POST /items asks it each time.
    this.plans.changing(event.organizationId, event.plan);
    return { received: true };
  }
}

type ParsedEvent = { kind: 'subscription'; id: string; organizationId: string; plan: Plan } | { kind: 'other' };

function parseEvent(body: unknown): ParsedEvent {
  const problems: string[] = [];
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const { id, type, data } = b;
  if (typeof id !== 'string' || id.length < 1 || id.length > 200) problems.push('id must be a string of 1 to 200 characters');
  if (typeof type !== 'string' || type.length < 1) problems.push('type must be a non-empty string');
  if (type !== SUBSCRIPTION_UPDATED) {
    if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'Validation failed', problems);
    return { kind: 'other' };
  }
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  if (typeof d['organizationId'] !== 'string' || !UUID.test(d['organizationId'])) problems.push('data.organizationId must be a UUID');
  if (!(PLANS as readonly unknown[]).includes(d['plan'])) problems.push(`data.plan must be one of ${PLANS.join(', ')}`);
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'Validation failed', problems);
  return { kind: 'subscription', id: id as string, organizationId: d['organizationId'] as string, plan: d['plan'] as Plan };
}
