import { createLogger, describeConfig, loadConfig, openDatabase, runMain, runMicroservice } from '@northstar/common';
import { IDENTITY } from '@northstar/contracts';
import { identitySchema } from './config.js';
import { IdentityModule } from './identity.module.js';
import { SigningKeySet } from './keys/signing-keys.js';
import { migrations } from './migrations/index.js';
import type { IdentityDatabase } from './repositories/schema.js';

async function main(): Promise<void> {
  const schema = identitySchema();
  const config = loadConfig(schema);
  const logger = createLogger(IDENTITY.name, config.logLevel);
  const keys = await SigningKeySet.from(config.signingKeys);
  logger.info({ config: describeConfig(schema, config), signingKeyIds: keys.kids }, 'starting');
  const database = await openDatabase<IdentityDatabase>({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    migrations,
    logger,
  });
  await runMicroservice({
    service: IDENTITY,
    module: IdentityModule.forRoot({
      db: database.db,
      keys,
      tokens: { accessTokenTtlSeconds: config.accessTokenTtlSeconds, refreshTokenTtlSeconds: config.refreshTokenTtlSeconds },
      logger,
    }),
    config,
    logger,
    readiness: [{ name: 'database', check: () => database.ping() }],
    onClose: () => database.close(),
  });
}

runMain(IDENTITY.name, main);
