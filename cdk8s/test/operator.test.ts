import { request } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { HEALTH_PATHS } from '@northstar/contracts';
import { Registry } from 'prom-client';
import { loadConfig } from '../../services/operator/src/config.js';
import { HealthServer } from '../../services/operator/src/http/health-server.js';
import { OPERATOR_HEALTH_PORT, OPERATOR_NAME, type NorthstarOperatorProps } from '../src/operator.js';
import { SERVICE_UID } from '../src/security.js';
import { schemaProblems } from './k8s-schema.js';
import { type Container, type K8sObject, type Workload, matches, named, ofKind } from './manifests.js';
import { deployManifest, synthOperator } from './operator-manifests.js';

interface Rbac extends K8sObject {
  readonly rules?: unknown[];
  readonly roleRef?: { readonly kind: string; readonly name: string };
  readonly subjects?: { readonly kind: string; readonly name: string; readonly namespace?: string }[];
  readonly automountServiceAccountToken?: boolean;
}
interface Pdb extends K8sObject {
  readonly spec: { readonly maxUnavailable: number; readonly selector: { readonly matchLabels: Record<string, string> } };
}
interface Policy extends K8sObject {
  readonly spec: { readonly podSelector: { readonly matchLabels?: Record<string, string> }; readonly egress?: { readonly ports: { readonly port: number }[] }[] };
}

const PROPS: NorthstarOperatorProps = { profile: 'kind', image: { registry: 'northstar', tag: 'dev' } };
const RBAC_KINDS = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];

function deployment(objects: readonly K8sObject[]): Workload {
  return named(ofKind<Workload>(objects, 'Deployment'), OPERATOR_NAME);
}

function container(objects: readonly K8sObject[]): Container {
  return deployment(objects).spec.template.spec.containers[0]!;
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('NorthstarOperator', () => {
  const objects = synthOperator(PROPS);

  it('renders the CRD, RBAC, Deployment and PDB in its own restricted namespace', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'Namespace/northstar-system',
        'CustomResourceDefinition/platforms.northstar.dev',
        `ServiceAccount/${OPERATOR_NAME}`,
        `ClusterRole/${OPERATOR_NAME}`,
        `ClusterRoleBinding/${OPERATOR_NAME}`,
        `Role/${OPERATOR_NAME}-leader-election`,
        `RoleBinding/${OPERATOR_NAME}-leader-election`,
        `Deployment/${OPERATOR_NAME}`,
        `PodDisruptionBudget/${OPERATOR_NAME}`,
      ].sort(),
    );
    expect(ofKind(objects, 'Namespace')[0]?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('is valid against the Kubernetes schemas (kubernetes-models, offline)', () => {
    expect(schemaProblems(objects)).toEqual([]);
  });

  it('includes services/operator/deploy/crd.yaml unchanged but for the labels', () => {
    const [file] = deployManifest('crd.yaml');
    const [crd] = ofKind(objects, 'CustomResourceDefinition');
    const strip = (o: K8sObject | undefined): unknown => ({ ...o, metadata: { ...o?.metadata, labels: undefined } });
    expect(strip(crd)).toEqual(strip(file));
    expect(crd?.metadata.labels).toMatchObject(file?.metadata.labels ?? {});
  });

  describe('RBAC', () => {
    const deployed = deployManifest('rbac.yaml') as Rbac[];
    const rendered = objects as Rbac[];

    it.each(RBAC_KINDS)('%s equals the one in services/operator/deploy/rbac.yaml', (kind) => {
      const [want] = deployed.filter((o) => o.kind === kind);
      const [got] = rendered.filter((o) => o.kind === kind);
      expect(want).toBeDefined();
      expect(got?.metadata.name).toBe(want?.metadata.name);
      expect(got?.metadata.namespace).toBe(want?.metadata.namespace);
      expect(got?.rules).toEqual(want?.rules);
      expect(got?.roleRef).toEqual(want?.roleRef);
      expect(got?.subjects).toEqual(want?.subjects);
    });

    it('the ServiceAccount keeps its token: the operator talks to the API server', () => {
      expect(named(ofKind<Rbac>(objects, 'ServiceAccount'), OPERATOR_NAME).automountServiceAccountToken).toBe(true);
      expect(deployment(objects).spec.template.spec.automountServiceAccountToken).toBe(true);
      expect(deployment(objects).spec.template.spec.serviceAccountName).toBe(OPERATOR_NAME);
    });

    it('grants nothing on Secrets and no wildcard', () => {
      const rules = rendered.flatMap((o) => (o.rules ?? []) as { resources: string[]; verbs: string[]; apiGroups: string[] }[]);
      for (const rule of rules) {
        expect(rule.resources).not.toContain('secrets');
        expect([...rule.resources, ...rule.verbs, ...rule.apiGroups]).not.toContain('*');
      }
    });

    it('binds in the namespace it is given', () => {
      const moved = synthOperator({ ...PROPS, namespace: 'ops', createNamespace: false }) as Rbac[];
      expect(moved.filter((o) => o.kind === 'Namespace')).toEqual([]);
      for (const binding of moved.filter((o) => o.kind.endsWith('Binding'))) {
        expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: OPERATOR_NAME, namespace: 'ops' }]);
      }
    });
  });

  describe('the Deployment', () => {
    it('runs two pods, told their name and namespace for the Lease, and a budget keeps one up', () => {
      const d = deployment(objects);
      expect(d.spec.replicas).toBe(2);
      expect(matches(d.spec.selector, d.spec.template.metadata.labels)).toBe(true);
      const env = Object.fromEntries((container(objects).env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
      expect(env).toMatchObject({
        POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
        OPERATOR_NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
        HEALTH_PORT: String(OPERATOR_HEALTH_PORT),
      });
      const pdb = named(ofKind<Pdb>(objects, 'PodDisruptionBudget'), OPERATOR_NAME);
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(matches(pdb.spec.selector, d.spec.template.metadata.labels)).toBe(true);
    });

    it('probes the port the operator listens on, by default and as configured', () => {
      expect(loadConfig({}).healthPort).toBe(OPERATOR_HEALTH_PORT);
      const c = container(objects);
      const env = Object.fromEntries((c.env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])));
      expect(loadConfig(env).healthPort).toBe(OPERATOR_HEALTH_PORT);
      expect(c.ports?.map((p) => p.containerPort)).toEqual([OPERATOR_HEALTH_PORT]);
      for (const p of [c.readinessProbe, c.livenessProbe]) {
        expect(p?.httpGet?.port).toBe(OPERATOR_HEALTH_PORT);
      }
    });

    it('probes paths the operator’s health server answers 200 on', async () => {
      const c = container(objects);
      const paths = [c.readinessProbe, c.livenessProbe, c.startupProbe].flatMap((p) => (p?.httpGet ? [p.httpGet.path] : []));
      expect(paths.sort()).toEqual([HEALTH_PATHS.live, HEALTH_PATHS.ready].sort());
      const server = new HealthServer({ live: () => true, ready: () => true }, new Registry());
      const port = await server.listen(0, '127.0.0.1');
      try {
        for (const path of paths) {
          expect(`${path} ${await get(port, path)}`).toBe(`${path} 200`);
        }
        expect(await get(port, '/nowhere')).toBe(404);
      } finally {
        await server.close();
      }
    });

    it('meets Pod Security restricted, as the image’s numeric user, on a read-only root', () => {
      const spec = deployment(objects).spec.template.spec;
      expect(spec.hostNetwork ?? false).toBe(false);
      expect(spec.hostPID ?? false).toBe(false);
      expect(spec.hostIPC ?? false).toBe(false);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: SERVICE_UID, seccompProfile: { type: 'RuntimeDefault' } });
      for (const volume of spec.volumes ?? []) {
        expect(Object.keys(volume).filter((k) => k !== 'name')).toEqual(['emptyDir']);
      }
      const sc = container(objects).securityContext;
      expect(sc).toMatchObject({ runAsNonRoot: true, runAsUser: SERVICE_UID, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(sc?.capabilities).toEqual({ drop: ['ALL'] });
      expect((container(objects).ports ?? []).filter((p) => p.hostPort !== undefined)).toEqual([]);
      expect(Object.keys(container(objects).resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
    });
  });

  describe('props', () => {
    it('a NetworkPolicy for API server egress only when asked for', () => {
      expect(ofKind(objects, 'NetworkPolicy')).toEqual([]);
      const [policy] = ofKind<Policy>(synthOperator({ ...PROPS, apiServerEgress: {} }), 'NetworkPolicy');
      expect(policy?.spec.podSelector.matchLabels).toEqual(deployment(objects).spec.selector.matchLabels);
      expect(policy?.spec.egress?.[0]?.ports.map((p) => p.port)).toEqual([443, 6443]);
    });

    it('one replica gets no budget, which would block drains', () => {
      expect(ofKind(synthOperator({ ...PROPS, replicas: 1 }), 'PodDisruptionBudget')).toEqual([]);
    });

    it('crd: false leaves the CRD to someone else', () => {
      expect(ofKind(synthOperator({ ...PROPS, crd: false }), 'CustomResourceDefinition')).toEqual([]);
    });

    it('refuses bad values, naming the field', () => {
      expect(() => synthOperator({ ...PROPS, replicas: 0 })).toThrow('operator.replicas must be an integer >= 1, got 0');
      expect(() => synthOperator({ ...PROPS, image: { registry: 'northstar', tag: 'latest' } })).toThrow("operator.image.tag must not be 'latest'");
      expect(() => synthOperator({ ...PROPS, apiServerEgress: { ports: [70000] } })).toThrow('operator.apiServerEgress.ports must hold port numbers, got 70000');
      expect(() => synthOperator({ ...PROPS, resources: { cpuRequestMillis: 0 } })).toThrow('operator.resources.cpuRequestMillis');
    });
  });
});
