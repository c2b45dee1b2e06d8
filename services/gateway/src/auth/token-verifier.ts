import { ACCESS_TOKEN_ALG, DomainError, ROLES, TOKEN_AUDIENCE, TOKEN_ISSUER, type Caller, type Role } from '@northstar/contracts';
import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { BoundedMap } from '../http/bounded-map.js';

export interface VerifiedToken {
  readonly caller: Caller;
  /** The session (refresh-token family) the token belongs to: what logout ends. */
  readonly sessionId: string;
  /** The token's `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
}

/** Seconds of clock skew accepted between identity and this pod. */
const CLOCK_TOLERANCE_SECONDS = 5;

export interface TokenCacheOptions {
  /** @default 10000 */
  readonly maxEntries?: number;
  /**
   * How long a verified token is trusted without checking its signature again; a key
   * dropped from identity's JWKS stops being honoured after at most this long.
   * @default 60000
   */
  readonly ttlMs?: number;
}

interface CachedToken {
  readonly verified: VerifiedToken;
  readonly trustedUntil: number;
}

export class TokenVerifier {
  // A client sends the same access token for its whole lifetime; the ES256 signature check
  // was about a third of the gateway's CPU per request, so a verified token is remembered.
  private readonly cache: BoundedMap<string, CachedToken>;
  private readonly ttlMs: number;

  constructor(
    private readonly getKey: JWTVerifyGetKey,
    options: TokenCacheOptions = {},
  ) {
    this.cache = new BoundedMap(options.maxEntries ?? 10_000);
    this.ttlMs = options.ttlMs ?? 60_000;
  }

  /**
   * Only ES256 is accepted: a token claiming `none` or an HMAC algorithm (signed with the
   * public key as a secret) is refused before any key is looked up.
   */
  async verify(token: string): Promise<VerifiedToken> {
    const now = Date.now();
    const hit = this.cache.get(token);
    if (hit && hit.trustedUntil > now) return hit.verified;
    if (hit) this.cache.delete(token);
    const verified = await this.verifySignature(token);
    this.remember(token, verified, now);
    return verified;
  }

  private remember(token: string, verified: VerifiedToken, now: number): void {
    const trustedUntil = Math.min(now + this.ttlMs, (verified.expiresAt + CLOCK_TOLERANCE_SECONDS) * 1000);
    this.cache.set(token, { verified, trustedUntil }, (old) => old.trustedUntil <= now);
  }

  private async verifySignature(token: string): Promise<VerifiedToken> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.getKey, {
        algorithms: [ACCESS_TOKEN_ALG],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError) throw invalid();
      throw error;
    }
    const { sub, org, role, sid, exp } = payload;
    if (!isNonEmpty(sub) || !isNonEmpty(org) || !isNonEmpty(sid) || !isRole(role) || typeof exp !== 'number') throw invalid();
    return { caller: { userId: sub, organizationId: org, role }, sessionId: sid, expiresAt: exp };
  }
}

function invalid(): DomainError {
  return new DomainError('TOKEN_INVALID', 'Invalid or expired access token');
}

function isNonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
