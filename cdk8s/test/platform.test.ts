import { describe, expect, it } from '@jest/globals';
import { ENV, GATEWAY, HEALTH_PATHS, IDENTITY, POSTGRES, ROADMAP, SERVICES, TCP_SERVICES } from '@northstar/contracts';
import { kindProfile, productionProfile } from '../src/profiles.js';
import { SECRET_REFS } from '../src/secrets.js';
import { DEFAULT_SHUTDOWN } from '../src/settings.js';
import { type K8sObject, type Meta, type LabelSelector, type Workload, matches, named, ofKind, PROFILES, synth, workloads } from './manifests.js';

interface Service {
  readonly metadata: Meta;
  readonly spec: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly selector: Record<string, string>;
    readonly ports: { readonly port: number; readonly targetPort: number }[];
  };
}
interface ConfigMap {
  readonly metadata: Meta;
  readonly data: Record<string, string>;
}
interface Hpa {
  readonly metadata: Meta;
  readonly spec: {
    readonly scaleTargetRef: { readonly kind: string; readonly name: string };
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly metrics: { readonly resource: { readonly name: string } }[];
    readonly behavior: { readonly scaleDown: { readonly stabilizationWindowSeconds: number } };
  };
}
interface Pdb {
  readonly metadata: Meta;
  readonly spec: { readonly selector: LabelSelector };
}

function podsSelectedBy(objects: readonly K8sObject[], selector: Record<string, string>): Workload[] {
  return workloads(objects).filter((w) => matches({ matchLabels: selector }, w.spec.template.metadata.labels));
}

describe.each(PROFILES)('the %s profile', (_profile, props) => {
  // GIVEN the platform synthesized with the profile's props
  const objects = synth(props);
  const deployments = ofKind<Workload>(objects, 'Deployment');
  const services = ofKind<Service>(objects, 'Service');

  it('runs one Deployment per service in the topology, named after it', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(SERVICES.map((s) => s.name).sort());
  });

  it('probes only health paths and ports the services serve', () => {
    for (const svc of SERVICES) {
      const [container] = named(deployments, svc.name).spec.template.spec.containers;
      // THEN startup and liveness hit /health/live, readiness /health/ready, all on the health port
      expect(container?.startupProbe?.httpGet).toEqual({ path: HEALTH_PATHS.live, port: svc.healthPort, scheme: 'HTTP' });
      expect(container?.livenessProbe?.httpGet).toEqual({ path: HEALTH_PATHS.live, port: svc.healthPort, scheme: 'HTTP' });
      expect(container?.readinessProbe?.httpGet).toEqual({ path: HEALTH_PATHS.ready, port: svc.healthPort, scheme: 'HTTP' });
      expect(container?.ports?.map((p) => p.containerPort)).toContain(svc.healthPort);
    }
  });

  it('points every MS_*_HOST of the gateway at the headless Service of the right pods and port', () => {
    const config = named(ofKind<ConfigMap>(objects, 'ConfigMap'), `${GATEWAY.name}-config`).data;
    for (const svc of TCP_SERVICES) {
      const host = config[svc.clientEnv.host];
      const port = Number(config[svc.clientEnv.port]);
      expect(host).toBe(svc.name);
      const service = named(services, host ?? '');
      // THEN the name resolves to every pod address (headless), on the port the pods listen on
      expect(service.spec.clusterIP).toBe('None');
      expect(service.spec.ports).toEqual([expect.objectContaining({ port, targetPort: svc.port })]);
      expect(podsSelectedBy(objects, service.spec.selector).map((w) => w.metadata.name)).toEqual([svc.name]);
      // AND a ClusterIP twin exists for tools
      expect(named(services, `${svc.name}-lb`).spec.type).toBe('ClusterIP');
    }
  });

  it('gives each Service a fixed name, pods to select and a container port to target', () => {
    expect(services.map((s) => s.metadata.name).sort()).toEqual(
      [
        GATEWAY.name,
        ...TCP_SERVICES.flatMap((s) => [s.name, `${s.name}-lb`]),
        ...(props.database?.mode === 'external' ? [] : [POSTGRES.name]),
      ].sort(),
    );
    for (const service of services) {
      const pods = podsSelectedBy(objects, service.spec.selector);
      expect(pods).toHaveLength(1);
      const ports = pods[0]?.spec.template.spec.containers.flatMap((c) => c.ports?.map((p) => p.containerPort) ?? []);
      for (const port of service.spec.ports) {
        expect(ports).toContain(port.targetPort);
      }
    }
    expect(named(services, GATEWAY.name).spec.type).toBe('ClusterIP');
  });

  it('configures the services with the env names from contracts', () => {
    const maps = ofKind<ConfigMap>(objects, 'ConfigMap');
    for (const svc of TCP_SERVICES) {
      expect(named(maps, `${svc.name}-config`).data).toMatchObject({
        [svc.bindHostEnv]: '0.0.0.0',
        [svc.portEnv]: String(svc.port),
        [svc.healthPortEnv]: String(svc.healthPort),
        [ENV.shutdownDelayMs]: String(DEFAULT_SHUTDOWN.shutdownDelayMs),
      });
    }
    expect(named(maps, `${GATEWAY.name}-config`).data[GATEWAY.portEnv]).toBe(String(GATEWAY.port));
    for (const d of deployments) {
      expect(d.spec.template.spec.containers[0]?.envFrom).toEqual([{ configMapRef: { name: `${d.metadata.name}-config` } }]);
    }
  });

  it('fits preStop, the shutdown delay and the drain inside the grace period', () => {
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const preStop = pod.containers[0]?.lifecycle?.preStop?.exec?.command;
      expect(preStop).toEqual(['sleep', String(DEFAULT_SHUTDOWN.preStopSleepSeconds)]);
      expect(pod.terminationGracePeriodSeconds).toBe(DEFAULT_SHUTDOWN.terminationGracePeriodSeconds);
      const used =
        DEFAULT_SHUTDOWN.preStopSleepSeconds + DEFAULT_SHUTDOWN.shutdownDelayMs / 1000 + DEFAULT_SHUTDOWN.drainSeconds;
      expect(used).toBeLessThan(pod.terminationGracePeriodSeconds ?? 0);
    }
  });

  it('reads secrets only by reference and never synthesizes one', () => {
    expect(ofKind(objects, 'Secret')).toEqual([]);
    const refs = workloads(objects).flatMap((w) =>
      w.spec.template.spec.containers.flatMap((c) => c.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef ?? []),
    );
    const known = Object.values(SECRET_REFS).flatMap((s) => Object.values(s.keys).map((key) => `${s.name}/${key}`));
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(known).toContain(`${ref.name}/${ref.key}`);
    }
    const env = (name: string): unknown =>
      named(deployments, name).spec.template.spec.containers[0]?.env?.find((e) => e.name === ENV.databaseUrl)?.valueFrom;
    expect(env(ROADMAP.name)).toEqual({ secretKeyRef: { name: 'northstar-db', key: 'ROADMAP_DATABASE_URL' } });
    expect(env(IDENTITY.name)).toEqual({ secretKeyRef: { name: 'northstar-db', key: 'IDENTITY_DATABASE_URL' } });
  });

  it('tags every image explicitly and never with latest', () => {
    for (const c of workloads(objects).flatMap((w) => w.spec.template.spec.containers)) {
      expect(c.image).toMatch(/^[^\s:]+:[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
      expect(c.image).not.toMatch(/:latest$/);
      expect(c.imagePullPolicy).toBe('IfNotPresent');
    }
  });

  it('autoscales only Deployments that exist and request CPU, leaving replicas to the HPA', () => {
    for (const hpa of ofKind<Hpa>(objects, 'HorizontalPodAutoscaler')) {
      expect(hpa.spec.scaleTargetRef.kind).toBe('Deployment');
      const target = named(deployments, hpa.spec.scaleTargetRef.name);
      expect(target.spec.replicas).toBeUndefined();
      for (const c of target.spec.template.spec.containers) {
        expect(c.resources?.requests?.['cpu']).toBeDefined();
      }
      expect(hpa.spec.metrics.map((m) => m.resource.name)).toEqual(['cpu']);
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThan(0);
    }
  });

  it('budgets disruptions exactly for workloads that run more than one pod', () => {
    const hpas = ofKind<Hpa>(objects, 'HorizontalPodAutoscaler');
    const minPods = (d: Workload): number =>
      hpas.find((h) => h.spec.scaleTargetRef.name === d.metadata.name)?.spec.minReplicas ?? d.spec.replicas ?? 1;
    const expected = deployments.filter((d) => minPods(d) > 1).map((d) => d.metadata.name);
    const pdbs = ofKind<Pdb>(objects, 'PodDisruptionBudget');
    expect(pdbs.map((p) => p.metadata.name).sort()).toEqual(expected.sort());
    for (const pdb of pdbs) {
      expect(workloads(objects).filter((w) => matches(pdb.spec.selector, w.spec.template.metadata.labels))).toEqual([
        named(deployments, pdb.metadata.name),
      ]);
    }
  });

  it('gives every workload its own ServiceAccount without an API token', () => {
    const accounts = ofKind<{ metadata: Meta; automountServiceAccountToken?: boolean }>(objects, 'ServiceAccount');
    for (const sa of accounts) {
      expect(sa.automountServiceAccountToken).toBe(false);
    }
    for (const w of workloads(objects)) {
      expect(w.spec.template.spec.automountServiceAccountToken).toBe(false);
      expect(named(accounts, w.spec.template.spec.serviceAccountName ?? '')).toBeDefined();
    }
  });

  it('puts every object in a Namespace that enforces Pod Security restricted', () => {
    const [ns] = ofKind(objects, 'Namespace');
    expect(ns?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) {
      expect(o.metadata.namespace).toBe(ns?.metadata.name);
    }
  });

  it('spreads every Deployment across zones and nodes', () => {
    for (const d of deployments) {
      const spread = d.spec.template.spec.topologySpreadConstraints ?? [];
      expect(spread.map((s) => s.topologyKey).sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
      for (const s of spread) {
        expect(s.labelSelector).toEqual(d.spec.selector);
      }
    }
  });
});

describe('the kind profile', () => {
  const objects = synth(kindProfile());

  it('runs one pod per service and no autoscaler', () => {
    for (const d of ofKind<Workload>(objects, 'Deployment')) {
      expect(d.spec.replicas).toBe(1);
    }
    expect(ofKind(objects, 'HorizontalPodAutoscaler')).toEqual([]);
  });

  it('runs PostgreSQL with a volume, its own probes and the services’ databases created on first start', () => {
    const [pg] = ofKind<Workload & { spec: { volumeClaimTemplates: { metadata: Meta }[] } }>(objects, 'StatefulSet');
    const container = pg?.spec.template.spec.containers[0];
    expect(container?.image).toBe('northstar/postgres:dev');
    expect(pg?.spec.volumeClaimTemplates.map((v) => v.metadata.name)).toEqual(['data']);
    for (const probe of [container?.startupProbe, container?.readinessProbe, container?.livenessProbe]) {
      expect(probe?.exec?.command[0]).toBe('pg_isready');
    }
    expect(container?.volumeMounts).toContainEqual({ name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true });
    const init = named(ofKind<ConfigMap>(objects, 'ConfigMap'), `${POSTGRES.name}-init`);
    expect(Object.values(init.data).join('')).toBe(`CREATE DATABASE ${ROADMAP.database};\nCREATE DATABASE ${IDENTITY.database};\n`);
  });
});

describe('the production profile', () => {
  const objects = synth(productionProfile({ tag: '1.2.3' }));

  it('autoscales every service from at least two pods and protects each with a PDB', () => {
    const hpas = ofKind<Hpa>(objects, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(SERVICES.map((s) => s.name).sort());
    expect(ofKind(objects, 'PodDisruptionBudget')).toHaveLength(SERVICES.length);
  });

  it('uses a managed database instead of an in-cluster one', () => {
    expect(ofKind(objects, 'StatefulSet')).toEqual([]);
  });
});
