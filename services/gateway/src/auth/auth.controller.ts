import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import {
  IDENTITY_PATTERNS,
  LoginDto,
  RefreshDto,
  RegisterDto,
  RegisteredDto,
  TokenPairDto,
  UserDto,
  type Caller,
  type LogoutMessage,
} from '@northstar/contracts';
import { IdentityClient } from '../clients/downstream.js';
import { CurrentCaller, CurrentSession, Public } from './auth.decorators.js';
import { StrictThrottle } from '../http/rate-limit/throttle.guard.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly identity: IdentityClient) {}

  @Public()
  @StrictThrottle()
  @Post('register')
  @ApiCreatedResponse({ type: RegisteredDto, description: 'The new user is the owner of a new organization' })
  register(@Body() body: RegisterDto): Promise<RegisteredDto> {
    return this.identity.send(IDENTITY_PATTERNS.register, body);
  }

  @Public()
  @StrictThrottle()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairDto })
  login(@Body() body: LoginDto): Promise<TokenPairDto> {
    return this.identity.send(IDENTITY_PATTERNS.login, body);
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairDto, description: 'A new pair; the refresh token sent is spent' })
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.identity.send(IDENTITY_PATTERNS.refresh, body);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'The session of the access token is ended' })
  async logout(@CurrentCaller() caller: Caller, @CurrentSession() sessionId: string): Promise<void> {
    const message: LogoutMessage = { sessionId };
    await this.identity.send(IDENTITY_PATTERNS.logout, message, caller);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: UserDto })
  me(@CurrentCaller() caller: Caller): Promise<UserDto> {
    return this.identity.send(IDENTITY_PATTERNS.me, {}, caller);
  }
}
