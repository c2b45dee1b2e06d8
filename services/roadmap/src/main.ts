import { ConfigError, createLogger, describeConfig, loadConfig, openDatabase, runMicroservice } from '@northstar/common';
import { ROADMAP } from '@northstar/contracts';
import { roadmapConfigSchema } from './config.js';
import { migrations } from './migrations/index.js';
import { RoadmapModule } from './roadmap.module.js';
import type { RoadmapSchema } from './repositories/items.repository.js';

async function main(): Promise<void> {
  const config = loadConfig(roadmapConfigSchema);
  const logger = createLogger(ROADMAP.name, config.logLevel);
  logger.info({ config: describeConfig(roadmapConfigSchema, config) }, 'starting');
  const database = await openDatabase<RoadmapSchema>({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    migrations,
    logger,
  });
  await runMicroservice({
    service: ROADMAP,
    module: RoadmapModule.forDatabase(database),
    config,
    logger,
    readiness: [{ name: 'database', check: () => database.ping() }],
    onClose: () => database.close(),
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`roadmap: ${error.message}\n`);
  else process.stderr.write(`roadmap: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
