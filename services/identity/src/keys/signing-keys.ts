import { ACCESS_TOKEN_ALG, type JwksDto } from '@northstar/contracts';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;
const PRIVATE_KEY_LABELS = new Set(['PRIVATE KEY', 'EC PRIVATE KEY']);

/**
 * Reads one or more concatenated PEM EC P-256 private keys (PKCS#8 or SEC1). Errors
 * say which block is wrong and why, never what it contains.
 */
export function parseSigningKeyPems(raw: string): KeyObject[] {
  // Some secret stores and `.env` files keep a PEM on one line with literal "\n".
  const text = raw.includes('-----BEGIN') && !raw.includes('\n') ? raw.replaceAll('\\n', '\n') : raw;
  const keys: KeyObject[] = [];
  let block = 0;
  for (const match of text.matchAll(PEM_BLOCK)) {
    const label = match[1] ?? '';
    // `openssl ecparam -genkey` writes the curve parameters before the key itself.
    if (label === 'EC PARAMETERS') continue;
    block++;
    if (!PRIVATE_KEY_LABELS.has(label)) throw new Error(`block ${block} is a "${label}", expected "PRIVATE KEY" or "EC PRIVATE KEY"`);
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: match[0], format: 'pem' });
    } catch {
      throw new Error(`block ${block} is not a readable private key`);
    }
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error(`block ${block} is not an EC P-256 key (ES256 needs P-256)`);
    }
    keys.push(key);
  }
  if (keys.length === 0) throw new Error('must hold at least one PEM EC P-256 private key');
  if (text.replace(PEM_BLOCK, '').trim().length > 0) throw new Error('holds text outside the PEM blocks');
  return keys;
}

export interface SigningKey {
  /** RFC 7638 thumbprint of the public key: the same key gets the same id on every replica. */
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

/**
 * The keys of every replica. The first signs; all are published, so tokens signed by
 * a key that is being introduced or retired still verify (docs/adr/0005).
 */
export class SigningKeySet {
  private constructor(readonly keys: readonly [SigningKey, ...SigningKey[]]) {}

  static async from(privateKeys: readonly KeyObject[]): Promise<SigningKeySet> {
    const keys: SigningKey[] = [];
    for (const privateKey of privateKeys) {
      const jwk = await exportJWK(createPublicKey(privateKey));
      const kid = await calculateJwkThumbprint(jwk, 'sha256');
      if (keys.some((k) => k.kid === kid)) continue;
      keys.push({ kid, privateKey, publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: ACCESS_TOKEN_ALG, use: 'sig' } });
    }
    const [first, ...rest] = keys;
    if (!first) throw new Error('a signing key set needs at least one key');
    return new SigningKeySet([first, ...rest]);
  }

  get active(): SigningKey {
    return this.keys[0];
  }

  get kids(): string[] {
    return this.keys.map((k) => k.kid);
  }

  jwks(): JwksDto {
    return { keys: this.keys.map((k) => ({ ...k.publicJwk })) };
  }
}
