import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { pino } from 'pino';
import type { OperatorConfig } from '../../src/config.js';
import { KubeClient, CONTENT_TYPE, isStatus } from '../../src/kube/client.js';
import { Operator } from '../../src/operator.js';
import type { KubeObject, Platform } from '../../src/render/platform-spec.js';

const run = promisify(execFile);

export function kubeConfig(): KubeConfig {
  if (!process.env['KUBECONFIG']) {
    throw new Error('KUBECONFIG is unset: run these through `make test-operator` (it starts a local cluster)');
  }
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

export const log = pino({ level: process.env['OPERATOR_IT_LOG'] ?? 'warn' });

export function client(): KubeClient {
  return new KubeClient(kubeConfig());
}

export async function applyCrd(k: KubeClient): Promise<void> {
  // Plain js-yaml: client-node's loadYaml turns objects into its model classes, renaming x-kubernetes-* fields.
  const crd = load(readFileSync(new URL('../../deploy/crd.yaml', import.meta.url), 'utf8')) as KubeObject | undefined;
  await k.request('PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd!.metadata.name}`, {
    query: { fieldManager: 'operator-it', force: true },
    body: crd,
    contentType: CONTENT_TYPE.apply,
  });
  await eventually('CRD established', 30_000, async () => {
    const live = await k.request<{ status?: { conditions?: { type: string; status: string }[] } }>(
      'GET',
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd!.metadata.name}`,
    );
    return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  });
  // Discovery of the new group lags the Established condition by a moment.
  await eventually('platforms served', 30_000, async () => {
    await k.request('GET', '/apis/northstar.dev/v1alpha1/platforms');
    return true;
  });
}

export async function ensureNamespace(k: KubeClient, name: string): Promise<void> {
  try {
    await k.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  } catch (err) {
    if (!isStatus(err, 409)) throw err;
  }
}

export function operatorConfig(identity: string, overrides: Partial<OperatorConfig> = {}): OperatorConfig {
  return {
    leaseNamespace: 'northstar-system',
    leaseName: 'northstar-operator',
    identity,
    watchNamespace: undefined,
    healthPort: 0,
    logLevel: 'warn',
    silenceSeconds: 20,
    resyncSeconds: 60,
    // Longer than an API server restart takes here (~5 s), so the restart test sees the watches survive, not a re-election.
    leaseDurationSeconds: 15,
    renewDeadlineSeconds: 12,
    retryPeriodSeconds: 1,
    ...overrides,
  };
}

export function startOperator(identity: string): Operator {
  const op = new Operator({
    config: operatorConfig(identity),
    kubeConfig: kubeConfig(),
    log: log.child({ identity }),
    watchBackoff: { baseMs: 200, maxMs: 2000 },
    pollMs: 1000,
  });
  op.start();
  return op;
}

/** Polls `probe` until it returns a value other than undefined; errors count as "not yet". */
export async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err instanceof Error ? err : new Error(JSON.stringify(err));
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last error: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export async function getPlatform(k: KubeClient, namespace: string, name: string): Promise<Platform> {
  return k.request<Platform>('GET', `/apis/northstar.dev/v1alpha1/namespaces/${namespace}/platforms/${name}`);
}

export function condition(p: Platform, type: string): { status: string; reason: string; message: string } | undefined {
  return p.status?.conditions?.find((c) => c.type === type);
}

export async function restartApiServer(): Promise<void> {
  const script = process.env['LOCAL_CLUSTER_SH'];
  if (!script) throw new Error('LOCAL_CLUSTER_SH is unset: run these through `make test-operator`');
  await run(script, ['restart-apiserver'], { env: process.env });
}
