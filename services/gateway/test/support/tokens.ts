import { SignJWT, calculateJwkThumbprint, exportJWK, importPKCS8 } from 'jose';
import { createPublicKey } from 'node:crypto';
import { ACCESS_TOKEN_ALG, TOKEN_AUDIENCE, TOKEN_ISSUER } from '@northstar/contracts';

/** Signs a token with the stack's real key, as identity would, with chosen claims and expiry. */
export async function forgeWithRealKey(
  pem: string,
  claims: { sub: string; org: string; role: string; sid: string },
  expiresAt: number,
  audience: string = TOKEN_AUDIENCE,
): Promise<string> {
  const key = await importPKCS8(pem, ACCESS_TOKEN_ALG);
  const kid = await calculateJwkThumbprint(await exportJWK(createPublicKey(pem)));
  return new SignJWT({ org: claims.org, role: claims.role, sid: claims.sid })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid })
    .setSubject(claims.sub)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(audience)
    .setIssuedAt(expiresAt - 900)
    .setExpirationTime(expiresAt)
    .sign(key);
}

export function decodePayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function withPayload(token: string, change: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  const payload = Buffer.from(JSON.stringify({ ...decodePayload(token), ...change })).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

export function algNone(token: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  const payload = token.split('.')[1];
  return `${header}.${payload}.`;
}
