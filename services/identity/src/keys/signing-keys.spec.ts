import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@northstar/common';
import { calculateJwkThumbprint } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { generatePem, keySet } from '../../test/fixture.js';
import { identitySchema } from '../config.js';
import { parseSigningKeyPems } from './signing-keys.js';

function configError(value: string): ConfigError {
  try {
    loadConfig(identitySchema(), { JWT_SIGNING_KEYS: value });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseSigningKeyPems', () => {
  it('accepts PKCS#8 and SEC1 keys, concatenated, in order', () => {
    const pkcs8 = generatePem('pkcs8');
    const sec1 = generatePem('sec1');
    expect(sec1).toContain('BEGIN EC PRIVATE KEY');
    const keys = parseSigningKeyPems(`${sec1}\n${pkcs8}`);
    expect(keys).toHaveLength(2);
    expect(keys.map((k) => k.asymmetricKeyDetails?.namedCurve)).toEqual(['prime256v1', 'prime256v1']);
  });

  it('skips the EC PARAMETERS block openssl writes before a SEC1 key', () => {
    const params = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
    expect(parseSigningKeyPems(params + generatePem('sec1'))).toHaveLength(1);
  });

  it('accepts a PEM whose newlines arrive as literal \\n', () => {
    expect(parseSigningKeyPems(generatePem().replaceAll('\n', '\\n'))).toHaveLength(1);
  });

  it('refuses garbage, other curves, other key types and public keys', () => {
    expect(() => parseSigningKeyPems('not a key')).toThrow('at least one PEM EC P-256 private key');
    expect(() => parseSigningKeyPems(generatePem('pkcs8', 'P-384'))).toThrow('block 1 is not an EC P-256 key');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => parseSigningKeyPems(generatePem() + rsa)).toThrow('block 2 is not an EC P-256 key');
    const pub = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => parseSigningKeyPems(pub)).toThrow('block 1 is a "PUBLIC KEY"');
    const broken = generatePem().replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA');
    expect(() => parseSigningKeyPems(broken)).toThrow('block 1 is not a readable private key');
    expect(() => parseSigningKeyPems(`${generatePem()}trailing`)).toThrow('text outside the PEM blocks');
  });
});

describe('JWT_SIGNING_KEYS in the configuration', () => {
  it('is required, and a bad value is a ConfigError naming the variable without printing it', () => {
    expect(configError('').problems).toEqual([expect.stringMatching(/^JWT_SIGNING_KEYS is required/)]);
    const secretish = generatePem().replace('BEGIN PRIVATE KEY', 'BEGIN RSA PRIVATE KEY').replace('END PRIVATE KEY', 'END RSA PRIVATE KEY');
    const error = configError(secretish);
    expect(error.problems).toEqual([expect.stringMatching(/^JWT_SIGNING_KEYS block 1 is a "RSA PRIVATE KEY"/)]);
    expect(error.message).not.toContain(secretish.split('\n')[1]);
  });

  it('loads valid keys with the documented defaults', () => {
    const config = loadConfig(identitySchema(), { JWT_SIGNING_KEYS: generatePem('sec1') });
    expect(config.signingKeys).toHaveLength(1);
    expect(config).toMatchObject({ accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 30 * 24 * 3600, port: 3003 });
  });
});

describe('SigningKeySet', () => {
  it('publishes every key with its RFC 7638 thumbprint as kid, and signs with the first', async () => {
    const first = generatePem('sec1');
    const second = generatePem('pkcs8');
    const set = await keySet(first, second);
    const { keys } = set.jwks();
    expect(keys).toHaveLength(2);
    for (const jwk of keys) {
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(jwk).not.toHaveProperty('d');
      expect(jwk['kid']).toBe(await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk['x'] as string, y: jwk['y'] as string }));
    }
    expect(set.active.kid).toBe(keys[0]!['kid']);
    expect((await keySet(second, first)).active.kid).toBe(keys[1]!['kid']);
  });

  it('gives a key the same kid on every replica and lists a repeated key once', async () => {
    const pem = generatePem();
    const a = await keySet(pem);
    const b = await keySet(pem, pem);
    expect(b.kids).toEqual(a.kids);
  });
});
