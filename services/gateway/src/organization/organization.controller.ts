import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { IDENTITY_PATTERNS, OrganizationDto, type Caller } from '@northstar/contracts';
import { CurrentCaller } from '../auth/auth.decorators.js';
import { IdentityClient } from '../clients/downstream.js';

@ApiTags('organization')
@ApiBearerAuth()
@Controller('organization')
export class OrganizationController {
  constructor(private readonly identity: IdentityClient) {}

  @Get()
  @ApiOkResponse({ type: OrganizationDto, description: "The caller's organization, with the plan billing last set" })
  get(@CurrentCaller() caller: Caller): Promise<OrganizationDto> {
    return this.identity.send(IDENTITY_PATTERNS.getOrganization, {}, caller);
  }
}
