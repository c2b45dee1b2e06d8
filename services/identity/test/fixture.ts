import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger, openDatabase, type Database, type Logger } from '@northstar/common';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenSettings } from '../src/config.js';
import { IdentityModule } from '../src/identity.module.js';
import { parseSigningKeyPems, SigningKeySet } from '../src/keys/signing-keys.js';
import { migrations } from '../src/migrations/index.js';
import type { IdentityDatabase } from '../src/repositories/schema.js';

export function generatePem(format: 'pkcs8' | 'sec1' = 'pkcs8', namedCurve = 'P-256'): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve });
  return privateKey.export({ type: format, format: 'pem' }).toString();
}

export async function keySet(...pems: string[]): Promise<SigningKeySet> {
  return SigningKeySet.from(parseSigningKeyPems(pems.join('')));
}

/** Emails unique per run, so the suites also run against a long-lived PostgreSQL (TEST_DATABASE_URL). */
export function email(local: string): string {
  return `${local}+${randomBytes(4).toString('hex')}@example.test`;
}

export interface TestDatabase {
  readonly database: Database<IdentityDatabase>;
  close(): Promise<void>;
}

/** A fresh embedded PostgreSQL in a temp dir, or TEST_DATABASE_URL when set. */
export async function openTestDatabase(logger: Logger = createLogger('identity', 'silent')): Promise<TestDatabase> {
  const url = process.env['TEST_DATABASE_URL'];
  const dir = url ? undefined : await mkdtemp(join(tmpdir(), 'identity-'));
  const database = await openDatabase<IdentityDatabase>({ url, dataDir: dir ?? '', migrations, logger });
  return {
    database,
    async close() {
      await database.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface IdentityFixture extends TestDatabase {
  readonly app: INestApplicationContext;
  readonly keys: SigningKeySet;
}

/** The identity module wired by Nest as in production, on a real database, without the transport. */
export async function openIdentity(
  options: { keys?: SigningKeySet; tokens?: Partial<TokenSettings>; logger?: Logger } = {},
): Promise<IdentityFixture> {
  const logger = options.logger ?? createLogger('identity', 'silent');
  const db = await openTestDatabase(logger);
  const keys = options.keys ?? (await keySet(generatePem()));
  const tokens: TokenSettings = { accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 3600, ...options.tokens };
  const app = await NestFactory.createApplicationContext(IdentityModule.forRoot({ db: db.database.db, keys, tokens, logger }), {
    logger: false,
    abortOnError: false,
  });
  return {
    ...db,
    app,
    keys,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
