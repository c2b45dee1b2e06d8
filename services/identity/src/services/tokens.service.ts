import { Inject, Injectable } from '@nestjs/common';
import {
  ACCESS_TOKEN_ALG,
  DomainError,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  type AccessClaims,
  type Caller,
  type JwksDto,
  type TokenPairDto,
} from '@northstar/contracts';
import { SignJWT } from 'jose';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { TokenSettings } from '../config.js';
import { TOKEN_SETTINGS } from '../injection-tokens.js';
import { SigningKeySet } from '../keys/signing-keys.js';
import { RefreshTokenRepository } from '../repositories/refresh-token.repository.js';

export interface TokenSubject {
  readonly id: string;
  readonly organizationId: string;
  readonly role: AccessClaims['role'];
}

/** Refresh tokens are stored only as this digest: a database leak yields no usable token. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

@Injectable()
export class TokensService {
  constructor(
    private readonly keys: SigningKeySet,
    private readonly refreshTokens: RefreshTokenRepository,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
  ) {}

  /** Starts a session (a new refresh-token family) for a user who just proved who they are. */
  async startSession(user: TokenSubject): Promise<TokenPairDto> {
    const familyId = randomUUID();
    const refresh = this.newRefreshToken();
    await this.refreshTokens.insert({ tokenHash: refresh.hash, familyId, userId: user.id, expiresAt: refresh.expiresAt });
    return this.pair(user, familyId, refresh.token);
  }

  async rotate(presented: string): Promise<TokenPairDto> {
    const next = this.newRefreshToken();
    const result = await this.refreshTokens.rotate(hashRefreshToken(presented), { tokenHash: next.hash, expiresAt: next.expiresAt }, new Date());
    switch (result.outcome) {
      case 'rotated':
        return this.pair({ id: result.user.id, organizationId: result.user.organization_id, role: result.user.role }, result.familyId, next.token);
      case 'reused':
        throw new DomainError('TOKEN_REUSED', 'Refresh token was already used; the session has been revoked');
      case 'invalid':
        throw new DomainError('TOKEN_INVALID', 'Refresh token is invalid or expired');
    }
  }

  async endSession(caller: Caller, sessionId: string): Promise<void> {
    await this.refreshTokens.revokeFamily(sessionId, caller.userId, new Date());
  }

  jwks(): JwksDto {
    return this.keys.jwks();
  }

  private async pair(user: TokenSubject, familyId: string, refreshToken: string): Promise<TokenPairDto> {
    const { kid, privateKey } = this.keys.active;
    const ttl = this.settings.accessTokenTtlSeconds;
    const now = Math.floor(Date.now() / 1000);
    const claims: Omit<AccessClaims, 'sub'> = { org: user.organizationId, role: user.role, sid: familyId };
    const accessToken = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .sign(privateKey);
    return { accessToken, refreshToken, expiresIn: ttl };
  }

  private newRefreshToken(): { token: string; hash: string; expiresAt: Date } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: hashRefreshToken(token), expiresAt: new Date(Date.now() + this.settings.refreshTokenTtlSeconds * 1000) };
  }
}
