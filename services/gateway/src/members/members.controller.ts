import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  AddMemberDto,
  IDENTITY_PATTERNS,
  MEMBER_ADMIN_ROLES,
  MemberListDto,
  UpdateMemberRoleDto,
  UserDto,
  type Caller,
  type MemberIdDto,
  type UpdateMemberRoleMessage,
} from '@northstar/contracts';
import { CurrentCaller, Roles } from '../auth/auth.decorators.js';
import { IdentityClient } from '../clients/downstream.js';
import { UuidParam } from '../http/uuid-param.js';

@ApiTags('members')
@ApiBearerAuth()
@Controller('members')
export class MembersController {
  constructor(private readonly identity: IdentityClient) {}

  @Get()
  @ApiOkResponse({ type: MemberListDto, description: "The caller's organization" })
  list(@CurrentCaller() caller: Caller): Promise<MemberListDto> {
    return this.identity.send(IDENTITY_PATTERNS.listMembers, {}, caller);
  }

  @Post()
  @Roles(...MEMBER_ADMIN_ROLES)
  @ApiCreatedResponse({ type: UserDto })
  add(@CurrentCaller() caller: Caller, @Body() body: AddMemberDto): Promise<UserDto> {
    return this.identity.send(IDENTITY_PATTERNS.addMember, body, caller);
  }

  @Patch(':id')
  @Roles('owner')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UserDto, description: 'Demoting the last owner is refused with 409' })
  updateRole(@CurrentCaller() caller: Caller, @UuidParam('id') id: string, @Body() body: UpdateMemberRoleDto): Promise<UserDto> {
    const message: UpdateMemberRoleMessage = { id, role: body.role };
    return this.identity.send(IDENTITY_PATTERNS.updateMemberRole, message, caller);
  }

  @Delete(':id')
  @Roles(...MEMBER_ADMIN_ROLES)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Removing the last owner is refused with 409' })
  async remove(@CurrentCaller() caller: Caller, @UuidParam('id') id: string): Promise<void> {
    const message: MemberIdDto = { id };
    await this.identity.send(IDENTITY_PATTERNS.removeMember, message, caller);
  }
}
