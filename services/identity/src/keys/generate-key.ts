/**
 * Prints one new EC P-256 private key (PKCS#8 PEM) for JWT_SIGNING_KEYS.
 * Keys are made at deploy time and kept in a Secret; none is ever committed.
 *
 *   node services/identity/dist/keys/generate-key.js > key.pem
 */
import { generateKeyPairSync } from 'node:crypto';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
process.stdout.write(privateKey.export({ type: 'pkcs8', format: 'pem' }));
