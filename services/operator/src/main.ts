import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { HealthServer } from './http/health-server.js';
import { loadKubeConfig } from './kube/kube-config.js';
import { Operator } from './operator.js';

const config = loadConfig();
const log = pino({ level: config.logLevel, base: { service: 'operator', identity: config.identity } });
let kubeConfig: KubeConfig;
try {
  const loaded = loadKubeConfig();
  kubeConfig = loaded.kubeConfig;
  log.info({ source: loaded.source, server: kubeConfig.getCurrentCluster()?.server }, 'Kubernetes API server');
} catch (err) {
  log.fatal(err instanceof Error ? err.message : String(err));
  process.exit(1);
}

let exitCode = 0;
const operator = new Operator({
  config,
  kubeConfig,
  log,
  defaultMetrics: true,
  onLostLeadership: () => {
    // Another instance may already reconcile; restarting clean is safer than resuming with stale caches.
    exitCode = 1;
    void shutdown('lost leadership');
  },
});
const health = new HealthServer({ live: () => operator.live, ready: () => operator.ready }, operator.metrics.registry);

let shuttingDown = false;
async function shutdown(reason: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info({ reason }, 'shutting down');
  const force = setTimeout(() => process.exit(exitCode || 1), 20_000);
  force.unref();
  await operator.stop();
  await health.close();
  log.info('stopped');
  process.exit(exitCode);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

const port = await health.listen(config.healthPort);
log.info({ port, leaseNamespace: config.leaseNamespace, watchNamespace: config.watchNamespace ?? '(all)' }, 'operator starting');
operator.start();
