import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ApiError, CONTENT_TYPE, type KubeClient } from '../src/kube/client.js';
import { kindOf, objectPath } from '../src/kube/resources.js';
import type { Operator } from '../src/operator.js';
import type { KubeObject, Platform, PlatformSpec } from '../src/render/platform-spec.js';
import { PLATFORM_LABEL, renderPlatform } from '../src/render/render.js';
import {
  applyCrd,
  client,
  condition,
  ensureNamespace,
  eventually,
  getPlatform,
  restartApiServer,
  startOperator,
} from './support/cluster.js';

// GIVEN a real API server (infra/local-cluster rung 2: controller-manager, scheduler and
// kwok nodes, so Deployments really become Available) and the operator running in-process.
const NS = 'operator-it';
const NAME = 'northstar';
const platformsPath = `/apis/northstar.dev/v1alpha1/namespaces/${NS}/platforms`;

const spec: PlatformSpec = {
  image: { registry: 'northstar', tag: 'v1' },
  services: { gateway: { replicas: 1 }, roadmap: { replicas: 1 }, identity: { replicas: 1 } },
  // External, so no PersistentVolumeClaim waits for a provisioner this cluster lacks.
  database: { mode: 'external', secretRef: { name: 'northstar-db-external' } },
  networkPolicies: true,
  rollout: { progressDeadlineSeconds: 10 },
};

let k: KubeClient;
let first: Operator;
let second: Operator | undefined;

async function patchSpec(patch: Record<string, unknown>): Promise<Platform> {
  return k.request<Platform>('PATCH', `${platformsPath}/${NAME}`, { body: { spec: patch }, contentType: CONTENT_TYPE.merge });
}

async function deployment(name: string): Promise<KubeObject & { spec: { replicas?: number; template: { spec: { containers: { image: string }[] } } } }> {
  return k.request('GET', objectPath(kindOf('apps/v1', 'Deployment'), NS, name));
}

async function availableAt(generation: number): Promise<Platform> {
  return eventually(`Platform Available at generation ${generation}`, 60_000, async () => {
    const p = await getPlatform(k, NS, NAME);
    const ok = p.status?.observedGeneration === generation && condition(p, 'Available')?.status === 'True' && condition(p, 'Progressing')?.status === 'False';
    return ok ? p : undefined;
  });
}

async function eventReasons(): Promise<string[]> {
  const list = await k.request<{ items: { reason: string; involvedObject: { name: string } }[] }>('GET', `/api/v1/namespaces/${NS}/events`);
  return list.items.filter((e) => e.involvedObject.name === NAME).map((e) => e.reason);
}

beforeAll(async () => {
  k = client();
  await applyCrd(k);
  await ensureNamespace(k, 'northstar-system');
  await ensureNamespace(k, NS);
  first = startOperator('first');
  await eventually('first instance leads', 20_000, async () => (first.isLeader ? true : undefined));
}, 90_000);

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await k?.close();
}, 30_000);

describe('Platform operator on a real API server', () => {
  it('creating a Platform brings every object into existence with owner references, and status reaches Available', async () => {
    // WHEN
    const created = await k.request<Platform>('POST', platformsPath, {
      body: { apiVersion: 'northstar.dev/v1alpha1', kind: 'Platform', metadata: { name: NAME, namespace: NS }, spec },
    });
    // THEN
    const available = await availableAt(created.metadata.generation ?? 1);
    const desired = renderPlatform(available);
    expect(desired.length).toBeGreaterThanOrEqual(15);
    for (const { object } of desired) {
      const live = await k.request<KubeObject>('GET', objectPath(kindOf(object.apiVersion, object.kind), NS, object.metadata.name));
      expect(live.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Platform', uid: created.metadata.uid, controller: true })]);
      expect(live.metadata.labels?.[PLATFORM_LABEL]).toBe(NAME);
    }
    expect(Object.keys(available.status?.components ?? {}).sort()).toEqual(['gateway', 'identity', 'roadmap']);
    expect(available.status?.components?.['gateway']).toEqual(expect.objectContaining({ desired: 1, ready: 1, image: 'northstar/gateway:v1' }));
    expect(available.status?.ready).toBe('3/3');
    // The external database's own Secret replaces the construct's default reference.
    expect(JSON.stringify(await deployment('roadmap'))).toContain('northstar-db-external');
    expect(await eventReasons()).toEqual(expect.arrayContaining(['Applied', 'AllComponentsAvailable']));
  }, 90_000);

  it('changing a replica count is applied and reported', async () => {
    const patched = await patchSpec({ services: { roadmap: { replicas: 3 } } });
    const p = await availableAt(patched.metadata.generation ?? 0);
    expect((await deployment('roadmap')).spec.replicas).toBe(3);
    expect(p.status?.components?.['roadmap']).toEqual(expect.objectContaining({ desired: 3, ready: 3 }));
  }, 90_000);

  it('rolls out in order: the gateway waits for roadmap and identity, and a stuck rollout turns Degraded', async () => {
    // WHEN identity's new version cannot be scheduled (no kwok node has 100 CPUs)
    const patched = await patchSpec({ image: { tag: 'v2' }, services: { identity: { replicas: 1, resources: { cpuRequestMillis: 100_000, cpuLimitMillis: 100_000 } } } });
    // THEN roadmap moves to v2, the gateway stays on v1, and the deadline turns the Platform Degraded
    const degraded = await eventually('Degraded', 60_000, async () => {
      const p = await getPlatform(k, NS, NAME);
      return p.status?.observedGeneration === patched.metadata.generation && condition(p, 'Degraded')?.status === 'True' ? p : undefined;
    });
    expect(condition(degraded, 'Degraded')?.reason).toBe('ProgressDeadlineExceeded');
    expect(condition(degraded, 'Degraded')?.message).toContain('identity');
    expect(condition(degraded, 'Progressing')?.reason).toBe('RollingOutBackends');
    expect((await deployment('roadmap')).spec.template.spec.containers[0]?.image).toBe('northstar/roadmap:v2');
    expect((await deployment('gateway')).spec.template.spec.containers[0]?.image).toBe('northstar/gateway:v1');
    expect(await eventReasons()).toContain('ProgressDeadlineExceeded');

    // WHEN the spec is fixed THEN the gateway follows and the Platform recovers
    const fixed = await patchSpec({ services: { identity: { replicas: 1, resources: null } } });
    const p = await availableAt(fixed.metadata.generation ?? 0);
    expect(condition(p, 'Degraded')?.status).toBe('False');
    expect((await deployment('gateway')).spec.template.spec.containers[0]?.image).toBe('northstar/gateway:v2');
  }, 120_000);

  it('reverts a hand-edited Deployment and recreates a deleted Service', async () => {
    // WHEN someone scales the gateway and swaps its image by hand
    await k.request('PATCH', objectPath(kindOf('apps/v1', 'Deployment'), NS, 'gateway'), {
      query: { fieldManager: 'kubectl-edit' },
      body: { spec: { replicas: 4 } },
      contentType: CONTENT_TYPE.merge,
    });
    // THEN the operator takes its fields back
    await eventually('gateway replicas reverted', 30_000, async () => ((await deployment('gateway')).spec.replicas === 1 ? true : undefined));

    // WHEN a Service is deleted
    const servicePath = objectPath(kindOf('v1', 'Service'), NS, 'identity');
    const before = await k.request<KubeObject>('GET', servicePath);
    await k.request('DELETE', servicePath);
    // THEN it comes back (a new object: a new uid)
    const after = await eventually('identity Service recreated', 30_000, async () => {
      const s = await k.request<KubeObject>('GET', servicePath).catch(() => undefined);
      return s && s.metadata.uid !== before.metadata.uid ? s : undefined;
    });
    expect(after.metadata.ownerReferences?.[0]?.kind).toBe('Platform');
    expect(await eventReasons()).toContain('DriftCorrected');
  }, 60_000);

  it('prunes what the spec no longer asks for', async () => {
    const policies = async (): Promise<number> =>
      (await k.request<{ items: unknown[] }>('GET', `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`)).items.length;
    expect(await policies()).toBeGreaterThan(0);
    const patched = await patchSpec({ networkPolicies: false });
    await availableAt(patched.metadata.generation ?? 0);
    await eventually('network policies pruned', 30_000, async () => ((await policies()) === 0 ? true : undefined));
    const restored = await patchSpec({ networkPolicies: true });
    await availableAt(restored.metadata.generation ?? 0);
    expect(await policies()).toBeGreaterThan(0);
  }, 90_000);

  it('rejects a bad spec through the CRD schema with a readable message', async () => {
    const attempt = async (badSpec: unknown): Promise<ApiError> => {
      try {
        await k.request('POST', platformsPath, {
          body: { apiVersion: 'northstar.dev/v1alpha1', kind: 'Platform', metadata: { name: 'bad' }, spec: badSpec },
        });
      } catch (err) {
        return err as ApiError;
      }
      throw new Error('the API server accepted a bad Platform');
    };
    const latest = await attempt({ image: { registry: 'northstar', tag: 'latest' } });
    expect(latest.statusCode).toBe(422);
    expect(latest.message).toContain("spec.image.tag: Invalid value: \"string\": tag must name the version being deployed, not 'latest'");

    const scaling = await attempt({ image: { registry: 'northstar', tag: 'v1' }, services: { gateway: { replicas: 2, autoscaling: { minReplicas: 5, maxReplicas: 2 } } } });
    expect(scaling.statusCode).toBe(422);
    expect(scaling.message).toContain('autoscaling.maxReplicas must be >= autoscaling.minReplicas');
    expect(scaling.message).toContain('set either replicas or autoscaling, not both');

    const db = await attempt({ image: { registry: 'northstar', tag: 'v1' }, database: { mode: 'external' } });
    expect(db.message).toContain('an external database needs secretRef');
  });

  it('keeps watching across an API server restart', async () => {
    const restartsBefore = await watchRestarts(first);
    // WHEN
    await restartApiServer();
    // THEN a change made after the restart is still picked up and applied
    const patched = await eventually('patch after restart', 30_000, () => patchSpec({ services: { gateway: { replicas: 2 } } }));
    await availableAt(patched.metadata.generation ?? 0);
    expect((await deployment('gateway')).spec.replicas).toBe(2);
    expect(await watchRestarts(first)).toBeGreaterThan(restartsBefore);
    expect(first.isLeader).toBe(true);
    expect(await counter(first, 'northstar_operator_became_leader_total')).toBe(1);
  }, 120_000);

  it('with two instances only the lease holder reconciles, and the other takes over when it stops', async () => {
    second = startOperator('second');
    await new Promise((r) => setTimeout(r, 5000));
    expect([first.isLeader, second.isLeader]).toEqual([true, false]);

    const p1 = await patchSpec({ services: { gateway: { replicas: 3 } } });
    await availableAt(p1.metadata.generation ?? 0);
    expect(await reconciles(second)).toBe(0);
    expect(await reconciles(first)).toBeGreaterThan(0);

    // WHEN the leader stops (it releases the lease) THEN the standby leads and reconciles
    await first.stop();
    await eventually('second instance leads', 20_000, async () => (second!.isLeader ? true : undefined));
    const p2 = await patchSpec({ services: { gateway: { replicas: 1 } } });
    await availableAt(p2.metadata.generation ?? 0);
    expect((await deployment('gateway')).spec.replicas).toBe(1);
    expect(await reconciles(second)).toBeGreaterThan(0);
  }, 120_000);
});

async function counter(op: Operator, name: string): Promise<number> {
  const metric = await op.metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

function reconciles(op: Operator): Promise<number> {
  return counter(op, 'northstar_operator_reconcile_total');
}

function watchRestarts(op: Operator): Promise<number> {
  return counter(op, 'northstar_operator_watch_restarts_total');
}

