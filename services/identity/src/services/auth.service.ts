import { Injectable } from '@nestjs/common';
import {
  DomainError,
  type Caller,
  type LoginDto,
  type LogoutMessage,
  type RefreshDto,
  type RegisterDto,
  type RegisteredDto,
  type TokenPairDto,
  type UserDto,
} from '@northstar/contracts';
import { randomUUID } from 'node:crypto';
import { OrganizationRepository } from '../repositories/organization.repository.js';
import { UserRepository } from '../repositories/user.repository.js';
import { PasswordService } from './password.service.js';
import { TokensService } from './tokens.service.js';
import { toUserDto } from './dto.mapper.js';

const INVALID_CREDENTIALS = 'Email or password is incorrect';

@Injectable()
export class AuthService {
  constructor(
    private readonly organizations: OrganizationRepository,
    private readonly users: UserRepository,
    private readonly passwords: PasswordService,
    private readonly tokens: TokensService,
  ) {}

  async register(dto: RegisterDto): Promise<RegisteredDto> {
    const passwordHash = await this.passwords.hash(dto.password);
    const owner = await this.organizations.createWithOwner(
      { id: randomUUID(), name: dto.organization },
      { id: randomUUID(), email: dto.email, name: dto.name, role: 'owner', passwordHash },
    );
    if (!owner) throw new DomainError('EMAIL_TAKEN', 'An account with this email already exists');
    const pair = await this.tokens.startSession({ id: owner.id, organizationId: owner.organization_id, role: owner.role });
    return { ...pair, user: toUserDto(owner) };
  }

  async login(dto: LoginDto): Promise<TokenPairDto> {
    const user = await this.users.findByEmail(dto.email);
    const valid = user ? await this.passwords.verify(dto.password, user.password_hash) : await this.passwords.verifyNobody(dto.password);
    if (!user || !valid) throw new DomainError('INVALID_CREDENTIALS', INVALID_CREDENTIALS);
    return this.tokens.startSession({ id: user.id, organizationId: user.organization_id, role: user.role });
  }

  refresh(dto: RefreshDto): Promise<TokenPairDto> {
    return this.tokens.rotate(dto.refreshToken);
  }

  logout(caller: Caller, dto: LogoutMessage): Promise<void> {
    return this.tokens.endSession(caller, dto.sessionId);
  }

  async me(caller: Caller): Promise<UserDto> {
    const user = await this.users.findInOrganization(caller.organizationId, caller.userId);
    if (!user) throw new DomainError('UNAUTHENTICATED', 'The account no longer exists');
    return toUserDto(user);
  }
}
