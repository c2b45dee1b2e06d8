import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@northstar/common';
import { DomainError, type Caller, type OrganizationDto, type SubscriptionUpdatedEvent } from '@northstar/contracts';
import { IDENTITY_LOGGER } from '../injection-tokens.js';
import { OrganizationRepository, type PlanChange } from '../repositories/organization.repository.js';
import { toOrganizationDto } from './dto.mapper.js';

@Injectable()
export class BillingService {
  constructor(
    private readonly organizations: OrganizationRepository,
    @Inject(IDENTITY_LOGGER) private readonly logger: Logger,
  ) {}

  /** Events arrive at least once; the event id makes a redelivery change nothing. */
  async applySubscription(event: SubscriptionUpdatedEvent): Promise<PlanChange> {
    const outcome = await this.organizations.setPlanOnce(event.eventId, event.organizationId, event.plan);
    const fields = { eventId: event.eventId, organizationId: event.organizationId, plan: event.plan, outcome };
    if (outcome === 'unknown-organization') this.logger.warn(fields, 'subscription event names no known organization');
    else this.logger.info(fields, 'subscription event processed');
    return outcome;
  }

  async getOrganization(caller: Caller): Promise<OrganizationDto> {
    const row = await this.organizations.findById(caller.organizationId);
    if (!row) throw new DomainError('UNAUTHENTICATED', 'The organization no longer exists');
    return toOrganizationDto(row);
  }
}
