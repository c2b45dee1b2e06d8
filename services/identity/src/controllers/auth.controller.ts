import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { MessageCaller, MessageData } from '@northstar/common';
import {
  IDENTITY_PATTERNS,
  LoginDto,
  LogoutMessage,
  RefreshDto,
  RegisterDto,
  type Caller,
  type JwksDto,
  type RegisteredDto,
  type TokenPairDto,
  type UserDto,
} from '@northstar/contracts';
import { AuthService } from '../services/auth.service.js';
import { TokensService } from '../services/tokens.service.js';

@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: TokensService,
  ) {}

  @MessagePattern(IDENTITY_PATTERNS.register)
  register(@MessageData() dto: RegisterDto): Promise<RegisteredDto> {
    return this.auth.register(dto);
  }

  @MessagePattern(IDENTITY_PATTERNS.login)
  login(@MessageData() dto: LoginDto): Promise<TokenPairDto> {
    return this.auth.login(dto);
  }

  @MessagePattern(IDENTITY_PATTERNS.refresh)
  refresh(@MessageData() dto: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(dto);
  }

  @MessagePattern(IDENTITY_PATTERNS.logout)
  logout(@MessageData() dto: LogoutMessage, @MessageCaller() caller: Caller): Promise<void> {
    return this.auth.logout(caller, dto);
  }

  @MessagePattern(IDENTITY_PATTERNS.me)
  me(@MessageCaller() caller: Caller): Promise<UserDto> {
    return this.auth.me(caller);
  }

  @MessagePattern(IDENTITY_PATTERNS.jwks)
  jwks(): JwksDto {
    return this.tokens.jwks();
  }

  @MessagePattern(IDENTITY_PATTERNS.ping)
  ping(): { ok: true } {
    return { ok: true };
  }
}
