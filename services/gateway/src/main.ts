import { GATEWAY } from '@northstar/contracts';
import { createLogger, describeConfig, runMain } from '@northstar/common';
import { createGateway } from './app.js';
import { gatewaySchema, loadGatewayConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger(GATEWAY.name, config.logLevel);
  logger.info({ config: describeConfig(gatewaySchema(), config) }, 'configuration loaded');

  const gateway = await createGateway({ config, logger });
  gateway.installSignalHandlers();
  const port = await gateway.listen();
  logger.info({ port, swagger: `http://localhost:${port}/api` }, 'gateway ready');
}

runMain(GATEWAY.name, main);
