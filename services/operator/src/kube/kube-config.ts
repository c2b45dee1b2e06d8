import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface KubeConfigSources {
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  readonly serviceAccountToken?: string;
}

/**
 * The API server's address and credentials, looked up where kubectl and client-node look:
 * KUBECONFIG, ~/.kube/config, then the pod's service account. client-node itself falls back
 * to http://localhost:8080 when it finds none of them, and the operator would then retry its
 * Lease forever; here that is an error that says what to set.
 */
export function loadKubeConfig(sources: KubeConfigSources = {}): { kubeConfig: KubeConfig; source: string } {
  const env = sources.env ?? process.env;
  const home = sources.home ?? homedir();
  const token = sources.serviceAccountToken ?? SERVICE_ACCOUNT_TOKEN;
  const kubeConfig = new KubeConfig();

  const files = (env['KUBECONFIG'] ?? '').split(delimiter).filter(Boolean);
  if (files.length > 0) {
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length > 0) throw new Error(`KUBECONFIG names ${missing.map((f) => `"${f}"`).join(', ')}, which does not exist`);
    for (const [i, file] of files.entries()) {
      const next = i === 0 ? kubeConfig : new KubeConfig();
      loadFile(next, file);
      if (next !== kubeConfig) kubeConfig.mergeConfig(next);
    }
    return { kubeConfig: withCluster(kubeConfig, `KUBECONFIG (${files.join(delimiter)})`), source: 'KUBECONFIG' };
  }
  const homeConfig = join(home, '.kube', 'config');
  if (existsSync(homeConfig)) {
    loadFile(kubeConfig, homeConfig);
    return { kubeConfig: withCluster(kubeConfig, homeConfig), source: homeConfig };
  }
  if (existsSync(token)) {
    kubeConfig.loadFromCluster();
    return { kubeConfig: withCluster(kubeConfig, 'the service account'), source: 'service account' };
  }
  throw new Error(
    `No Kubernetes API server configured: KUBECONFIG is unset, ${homeConfig} does not exist and this is not a pod ` +
      `(no ${token}). Point KUBECONFIG at a kubeconfig (make e2e-local writes one) or run the operator in the cluster.`,
  );
}

function loadFile(kubeConfig: KubeConfig, file: string): void {
  try {
    kubeConfig.loadFromFile(file);
  } catch (err) {
    throw new Error(`${file} is not a usable kubeconfig: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function withCluster(kubeConfig: KubeConfig, where: string): KubeConfig {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.server) {
    throw new Error(`${where} has no current context with a cluster (current-context: "${kubeConfig.getCurrentContext() || 'unset'}")`);
  }
  return kubeConfig;
}
