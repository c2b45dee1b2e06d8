import { ACCESS_TOKEN_ALG, TOKEN_AUDIENCE, TOKEN_ISSUER, type Caller } from '@northstar/contracts';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function createSigningKey(kid = randomUUID()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALG, use: 'sig' };
  return { kid, privateKey, publicJwk };
}

export interface TokenOverrides {
  readonly issuer?: string;
  readonly audience?: string;
  /** Seconds from now; negative for an expired token. */
  readonly expiresIn?: number;
  readonly sessionId?: string;
  readonly kid?: string;
}

export function signAccessToken(key: SigningKey, caller: Caller, o: TokenOverrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ org: caller.organizationId, role: caller.role, sid: o.sessionId ?? randomUUID() })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: o.kid ?? key.kid, typ: 'JWT' })
    .setSubject(caller.userId)
    .setIssuer(o.issuer ?? TOKEN_ISSUER)
    .setAudience(o.audience ?? TOKEN_AUDIENCE)
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (o.expiresIn ?? 900))
    .sign(key.privateKey);
}

export function caller(role: Caller['role'] = 'owner', organizationId = randomUUID()): Caller {
  return { userId: randomUUID(), organizationId, role };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Re-encodes a token's payload without re-signing it. */
export function tamper(token: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  change(claims);
  return `${header}.${b64(claims)}.${signature}`;
}

/** The same claims with `alg: none` and no signature. */
export function unsigned(token: string): string {
  const [, payload] = token.split('.');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
}
