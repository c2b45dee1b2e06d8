import { ACCESS_TOKEN_ALG, DomainError, ROLES, TOKEN_AUDIENCE, TOKEN_ISSUER, type Caller, type Role } from '@northstar/contracts';
import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';

export interface VerifiedToken {
  readonly caller: Caller;
  /** The session (refresh-token family) the token belongs to: what logout ends. */
  readonly sessionId: string;
}

/** Seconds of clock skew accepted between identity and this pod. */
const CLOCK_TOLERANCE_SECONDS = 5;

export class TokenVerifier {
  constructor(private readonly getKey: JWTVerifyGetKey) {}

  /**
   * Only ES256 is accepted: a token claiming `none` or an HMAC algorithm (signed with the
   * public key as a secret) is refused before any key is looked up.
   */
  async verify(token: string): Promise<VerifiedToken> {
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
    const { sub, org, role, sid } = payload;
    if (!isNonEmpty(sub) || !isNonEmpty(org) || !isNonEmpty(sid) || !isRole(role)) throw invalid();
    return { caller: { userId: sub, organizationId: org, role }, sessionId: sid };
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
