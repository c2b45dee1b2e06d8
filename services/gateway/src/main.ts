import { ConfigError, createLogger, describeConfig } from '@northstar/common';
import { createGateway } from './app.js';
import { gatewaySchema, loadGatewayConfig, type GatewayConfig } from './config.js';

async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadGatewayConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Sensitive variables are named but their values never appear (loadConfig leaves them out).
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger('gateway', config.logLevel);
  logger.info({ config: describeConfig(gatewaySchema(), config) }, 'configuration loaded');

  const gateway = await createGateway({ config, logger });
  gateway.installSignalHandlers();
  const port = await gateway.listen();
  logger.info({ port, swagger: `http://localhost:${port}/api` }, 'gateway ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
