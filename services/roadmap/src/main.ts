import { createLogger, describeConfig, loadConfig, openDatabase, runMain, runMicroservice } from '@northstar/common';
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

runMain(ROADMAP.name, main);
