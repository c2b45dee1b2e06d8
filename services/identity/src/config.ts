import { tcpServiceSchema, v, type ConfigOf, type VariableSpec } from '@northstar/common';
import { ENV, IDENTITY } from '@northstar/contracts';
import type { KeyObject } from 'node:crypto';
import { parseSigningKeyPems } from './keys/signing-keys.js';

const signingKeys: VariableSpec<KeyObject[]> = {
  env: ENV.jwtSigningKeys,
  description:
    'PEM EC P-256 private keys (PKCS#8 or SEC1), concatenated; the first signs access tokens, all are published in the JWKS',
  sensitive: true,
  parse: parseSigningKeyPems,
};

export function identitySchema() {
  return {
    ...tcpServiceSchema(IDENTITY),
    signingKeys,
    accessTokenTtlSeconds: v.int('ACCESS_TOKEN_TTL_SECONDS', {
      description: 'Lifetime of an access token (JWT); also how long a retired signing key must stay published',
      default: 900,
      min: 30,
      max: 24 * 3600,
    }),
    refreshTokenTtlSeconds: v.int('REFRESH_TOKEN_TTL_SECONDS', {
      description: 'Lifetime of a refresh token (one session stays alive this long without use)',
      default: 30 * 24 * 3600,
      min: 60,
      max: 365 * 24 * 3600,
    }),
  };
}

export type IdentityConfig = ConfigOf<ReturnType<typeof identitySchema>>;

/** What the token services need from the configuration. */
export interface TokenSettings {
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
}
