import { Injectable } from '@nestjs/common';
import {
  DomainError,
  MEMBER_ADMIN_ROLES,
  type AddMemberDto,
  type Caller,
  type MemberIdDto,
  type MemberListDto,
  type UpdateMemberRoleMessage,
  type UserDto,
} from '@northstar/contracts';
import { randomUUID } from 'node:crypto';
import type { UserRow } from '../repositories/schema.js';
import { UserRepository, type LockedOrganization } from '../repositories/user.repository.js';
import { PasswordService } from './password.service.js';
import { toUserDto } from './dto.mapper.js';

function notFound(): DomainError {
  return new DomainError('MEMBER_NOT_FOUND', 'No such member in your organization');
}

/** Authority is read from the database, not the access token: a role changed since the token was issued counts at once. */
async function actorIn(org: LockedOrganization, caller: Caller): Promise<UserRow> {
  const actor = await org.findMember(caller.userId);
  if (!actor) throw new DomainError('UNAUTHENTICATED', 'The account no longer exists');
  return actor;
}

function assertOwnersRemain(org: LockedOrganization, target: UserRow): void {
  if (target.role === 'owner' && org.ownerIds.length <= 1) {
    throw new DomainError('LAST_OWNER', 'An organization keeps at least one owner');
  }
}

@Injectable()
export class MembersService {
  constructor(
    private readonly users: UserRepository,
    private readonly passwords: PasswordService,
  ) {}

  async list(caller: Caller): Promise<MemberListDto> {
    const rows = await this.users.listByOrganization(caller.organizationId);
    return { members: rows.map(toUserDto) };
  }

  async add(caller: Caller, dto: AddMemberDto): Promise<UserDto> {
    const actor = await this.users.findInOrganization(caller.organizationId, caller.userId);
    if (!actor) throw new DomainError('UNAUTHENTICATED', 'The account no longer exists');
    if (!MEMBER_ADMIN_ROLES.includes(actor.role)) throw new DomainError('FORBIDDEN', 'Only owners and admins add members');
    if (dto.role === 'owner' && actor.role !== 'owner') throw new DomainError('FORBIDDEN', 'Only owners add owners');
    const passwordHash = await this.passwords.hash(dto.password);
    const user = await this.users.insert({
      id: randomUUID(),
      organizationId: caller.organizationId,
      email: dto.email,
      name: dto.name,
      role: dto.role,
      passwordHash,
    });
    if (!user) throw new DomainError('EMAIL_TAKEN', 'An account with this email already exists');
    return toUserDto(user);
  }

  updateRole(caller: Caller, message: UpdateMemberRoleMessage): Promise<UserDto> {
    return this.users.withOwnersLocked(caller.organizationId, async (org) => {
      const actor = await actorIn(org, caller);
      if (actor.role !== 'owner') throw new DomainError('FORBIDDEN', 'Only owners change roles');
      const target = await org.findMember(message.id);
      if (!target) throw notFound();
      if (target.role === message.role) return toUserDto(target);
      assertOwnersRemain(org, target);
      return toUserDto(await org.setRole(target.id, message.role));
    });
  }

  remove(caller: Caller, message: MemberIdDto): Promise<void> {
    return this.users.withOwnersLocked(caller.organizationId, async (org) => {
      const actor = await actorIn(org, caller);
      if (!MEMBER_ADMIN_ROLES.includes(actor.role)) throw new DomainError('FORBIDDEN', 'Only owners and admins remove members');
      const target = await org.findMember(message.id);
      if (!target) throw notFound();
      if (target.role === 'owner' && actor.role !== 'owner') throw new DomainError('FORBIDDEN', 'Only owners remove owners');
      assertOwnersRemain(org, target);
      await org.remove(target.id);
    });
  }
}
