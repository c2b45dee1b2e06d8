import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern } from '@nestjs/microservices';
import { MessageCaller, MessageData } from '@northstar/common';
import { IDENTITY_EVENTS, IDENTITY_PATTERNS, SubscriptionUpdatedEvent, type Caller, type OrganizationDto } from '@northstar/contracts';
import { BillingService } from '../services/billing.service.js';

@Controller()
export class OrganizationController {
  constructor(private readonly billing: BillingService) {}

  @MessagePattern(IDENTITY_PATTERNS.getOrganization)
  get(@MessageCaller() caller: Caller): Promise<OrganizationDto> {
    return this.billing.getOrganization(caller);
  }

  @EventPattern(IDENTITY_EVENTS.subscriptionUpdated)
  async subscriptionUpdated(@MessageData() event: SubscriptionUpdatedEvent): Promise<void> {
    await this.billing.applySubscription(event);
  }
}
