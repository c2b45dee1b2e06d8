import { createLogger } from '@northstar/common';
import { createGateway, type Gateway } from '../../src/app.js';
import { loadGatewayConfig } from '../../src/config.js';

export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';

/** Log lines the gateway wrote, parsed. */
export class LogCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }
}

export interface TestGateway {
  readonly gateway: Gateway;
  readonly logs: LogCapture;
  readonly app: Gateway['app'];
  /** http://127.0.0.1:<port> */
  readonly url: string;
  close(): Promise<void>;
}

/** A gateway on the real pools, wired to the given ports through the same env names production uses. */
export async function startGateway(env: Record<string, string>): Promise<TestGateway> {
  const config = loadGatewayConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    MS_ONE_HOST: '127.0.0.1',
    MS_TWO_HOST: '127.0.0.1',
    WEBHOOK_SECRET,
    SHUTDOWN_DELAY_MS: '0',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const logs = new LogCapture();
  const logger = createLogger('gateway', config.logLevel, logs);
  const gateway = await createGateway({ config, logger, swaggerUi: false });
  const port = await gateway.listen();
  return { gateway, logs, app: gateway.app, url: `http://127.0.0.1:${port}`, close: () => gateway.app.close() };
}
