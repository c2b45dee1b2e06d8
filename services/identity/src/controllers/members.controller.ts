import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { MessageCaller, MessageData } from '@northstar/common';
import {
  AddMemberDto,
  IDENTITY_PATTERNS,
  MemberIdDto,
  UpdateMemberRoleMessage,
  type Caller,
  type MemberListDto,
  type UserDto,
} from '@northstar/contracts';
import { MembersService } from '../services/members.service.js';

@Controller()
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @MessagePattern(IDENTITY_PATTERNS.listMembers)
  list(@MessageCaller() caller: Caller): Promise<MemberListDto> {
    return this.members.list(caller);
  }

  @MessagePattern(IDENTITY_PATTERNS.addMember)
  add(@MessageData() dto: AddMemberDto, @MessageCaller() caller: Caller): Promise<UserDto> {
    return this.members.add(caller, dto);
  }

  @MessagePattern(IDENTITY_PATTERNS.updateMemberRole)
  updateRole(@MessageData() message: UpdateMemberRoleMessage, @MessageCaller() caller: Caller): Promise<UserDto> {
    return this.members.updateRole(caller, message);
  }

  @MessagePattern(IDENTITY_PATTERNS.removeMember)
  remove(@MessageData() message: MemberIdDto, @MessageCaller() caller: Caller): Promise<void> {
    return this.members.remove(caller, message);
  }
}
