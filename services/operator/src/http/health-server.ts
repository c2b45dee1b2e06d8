import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HEALTH_PATHS } from '@northstar/contracts';
import type { Registry } from 'prom-client';

export interface HealthSource {
  /** Whether the process can still do its job; false only when it is wedged. */
  readonly live: () => boolean;
  /** A standby is ready; a leader is ready once its caches are synced. */
  readonly ready: () => boolean;
}

/** `/health/live`, `/health/ready` and `/metrics` on plain node:http: the operator has no other HTTP to serve. */
export class HealthServer {
  private server?: Server;

  public constructor(
    private readonly source: HealthSource,
    private readonly registry: Registry,
  ) {}

  public async listen(port: number, host = '0.0.0.0'): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const answer = (ok: boolean): void => {
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'ok' : 'unavailable' }));
      };
      if (path === HEALTH_PATHS.live) return answer(this.source.live());
      if (path === HEALTH_PATHS.ready) return answer(this.source.ready());
      if (path === HEALTH_PATHS.metrics) {
        this.registry.metrics().then(
          (body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
          () => res.writeHead(500).end(),
        );
        return;
      }
      res.writeHead(404).end();
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  public async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
