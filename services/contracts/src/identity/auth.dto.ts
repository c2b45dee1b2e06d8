import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { ROLES, PLANS, type Plan, type Role } from './roles.js';

export const PASSWORD_LIMITS = { min: 10, max: 128 } as const;

export class RegisterDto {
  @ApiProperty({ format: 'email', maxLength: 254 })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: PASSWORD_LIMITS.min, maxLength: PASSWORD_LIMITS.max })
  @IsString()
  @Length(PASSWORD_LIMITS.min, PASSWORD_LIMITS.max)
  password!: string;

  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ description: 'Name of the organization to create', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  organization!: string;
}

export class LoginDto {
  @ApiProperty({ format: 'email' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @Length(1, PASSWORD_LIMITS.max)
  password!: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @Length(1, 512)
  refreshToken!: string;
}

export class AddMemberDto {
  @ApiProperty({ format: 'email', maxLength: 254 })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ minLength: PASSWORD_LIMITS.min, maxLength: PASSWORD_LIMITS.max })
  @IsString()
  @Length(PASSWORD_LIMITS.min, PASSWORD_LIMITS.max)
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}

export class UpdateMemberRoleDto {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}

export class MemberIdDto {
  @IsUUID()
  id!: string;
}

export class UpdateMemberRoleMessage extends UpdateMemberRoleDto {
  @IsUUID()
  id!: string;
}

/** Logout spends the session (refresh-token family) the access token belongs to. */
export class LogoutMessage {
  @IsUUID()
  sessionId!: string;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ format: 'uuid' }) organizationId!: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'Bearer token (JWT, ES256) for the Authorization header' }) accessToken!: string;
  @ApiProperty({ description: 'Opaque single-use token for POST /auth/refresh' }) refreshToken!: string;
  @ApiProperty({ description: 'Access-token lifetime in seconds' }) expiresIn!: number;
}

export class RegisteredDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty() refreshToken!: string;
  @ApiProperty() expiresIn!: number;
  @ApiProperty({ type: UserDto }) user!: UserDto;
}

/** The caller's organization, with the plan billing last set. */
export class OrganizationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PLANS }) plan!: Plan;
}

export class MemberListDto {
  @ApiProperty({ type: [UserDto] }) members!: UserDto[];
}

/** Claims of an access token, as the gateway reads them. */
export interface AccessClaims {
  sub: string;
  org: string;
  role: Role;
  sid: string;
}

export const TOKEN_AUDIENCE = 'northstar';
export const TOKEN_ISSUER = 'northstar-identity';
export const ACCESS_TOKEN_ALG = 'ES256';

export interface JwksDto {
  keys: Array<Record<string, unknown>>;
}

export class SubscriptionUpdatedEvent {
  @IsUUID()
  organizationId!: string;

  @IsIn(PLANS)
  plan!: Plan;

  @IsString()
  @Length(1, 200)
  eventId!: string;
}
