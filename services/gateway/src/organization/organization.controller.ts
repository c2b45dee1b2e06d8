import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { IDENTITY_PATTERNS, OrganizationDto, type Caller } from '@northstar/contracts';
import { CurrentCaller } from '../auth/auth.decorators.js';
import { IdentityClient } from '../clients/downstream.js';
import { PlanCache } from './plan-cache.js';

@ApiTags('organization')
@ApiBearerAuth()
@Controller('organization')
export class OrganizationController {
  constructor(
    private readonly identity: IdentityClient,
    private readonly plans: PlanCache,
  ) {}

  @Get()
  @ApiOkResponse({ type: OrganizationDto, description: "The caller's organization, with the plan billing last set" })
  async get(@CurrentCaller() caller: Caller): Promise<OrganizationDto> {
    const organization = await this.identity.send<OrganizationDto>(IDENTITY_PATTERNS.getOrganization, {}, caller);
    this.plans.remember(organization.id, organization.plan);
    return organization;
  }
}
