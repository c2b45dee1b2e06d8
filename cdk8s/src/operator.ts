import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Include, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HEALTH_PATHS } from '@northstar/contracts';
import { DisruptionBudget } from './disruption-budget.js';
import { pullPolicy } from './microservice.js';
import { objectLabels, selectorLabels } from './labels.js';
import { NorthstarNamespace } from './namespace.js';
import { patchPodTemplate, restrictedContainerContext, restrictedPodContext, SERVICE_UID } from './security.js';
import { type ImageSettings, type ResourceSettings, imageRef, resolveResources } from './settings.js';

/** Name of the operator's Deployment, ServiceAccount, RBAC objects and election Lease. */
export const OPERATOR_NAME = 'northstar-operator';
/** HEALTH_PORT: where the operator serves HEALTH_PATHS (services/operator/src/config.ts). */
export const OPERATOR_HEALTH_PORT = 8081;
const CRD_PATH = 'services/operator/deploy/crd.yaml';

/**
 * The one copy of the Platform CRD (the chart's copy is held to it), found upwards from
 * this module: it runs from cdk8s/src under jest and from cdk8s/dist/lib once built.
 */
export function platformCrdFile(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, CRD_PATH);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${CRD_PATH} not found above ${fileURLToPath(import.meta.url)}`);
  }
}

type PolicyRule = kplus.k8s.PolicyRule;

const WRITE = ['get', 'list', 'watch', 'create', 'patch', 'delete'];

/**
 * What the operator may do cluster-wide: read Platforms and write their status, and write
 * only the kinds NorthstarPlatform renders. No Secrets: the pods reference them by name.
 * services/operator/deploy/rbac.yaml holds the same rules (a test keeps them equal).
 */
export const OPERATOR_CLUSTER_RULES: readonly PolicyRule[] = [
  { apiGroups: ['northstar.dev'], resources: ['platforms'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['northstar.dev'], resources: ['platforms/status'], verbs: ['get', 'patch', 'update'] },
  // blockOwnerDeletion on the owner references needs update on the owner's finalizers.
  { apiGroups: ['northstar.dev'], resources: ['platforms/finalizers'], verbs: ['update'] },
  { apiGroups: [''], resources: ['serviceaccounts', 'configmaps', 'services'], verbs: WRITE },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: WRITE },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: WRITE },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: WRITE },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: WRITE },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
];

/** Leader election, in the operator's namespace only: create a Lease, then touch only its own. */
export const OPERATOR_LEASE_RULES: readonly PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [OPERATOR_NAME], verbs: ['get', 'update'] },
];

export interface NorthstarOperatorProps {
  /** Profile name, written as a label. */
  readonly profile: string;
  /** @default 'northstar-system' */
  readonly namespace?: string;
  /**
   * Whether to synthesize the Namespace (Pod Security `restricted`). Off when the operator
   * shares a namespace that something else creates.
   * @default true
   */
  readonly createNamespace?: boolean;
  /** Registry, tag and pull policy of the `operator` image. */
  readonly image: ImageSettings;
  /**
   * Pods; the Lease lets one of them reconcile, the others stand by (docs/adr/0007).
   * @default 2
   */
  readonly replicas?: number;
  /** @default DEFAULT_RESOURCES */
  readonly resources?: ResourceSettings;
  /** @default 'info' */
  readonly logLevel?: string;
  /**
   * Whether to include the CustomResourceDefinition of `platforms.northstar.dev`.
   * @default true
   */
  readonly crd?: boolean;
  /**
   * The CRD manifest to include.
   * @default - services/operator/deploy/crd.yaml of this repository
   */
  readonly crdFile?: string;
  /**
   * Allow the operator's egress to the API server with a NetworkPolicy. Needed when its
   * namespace denies traffic by default, as NorthstarPlatform's network policies do.
   * @default - no NetworkPolicy
   */
  readonly apiServerEgress?: ApiServerEgress;
}

export interface ApiServerEgress {
  /**
   * TCP ports the API server answers on: the `kubernetes` Service's port, and the
   * endpoints' port that policies see after the Service's address translation.
   * @default [443, 6443]
   */
  readonly ports?: readonly number[];
}

/**
 * The Platform operator (services/operator): its CRD, a ServiceAccount with the API token
 * it needs, least-privilege RBAC, the Lease Role, a Deployment of `replicas` pods probed on
 * its health port, and a PodDisruptionBudget.
 */
export class NorthstarOperator extends Construct {
  public readonly namespace: string;
  public readonly selectorLabels: Readonly<Record<string, string>>;
  public readonly deployment: kplus.Deployment;

  public constructor(scope: Construct, id: string, props: NorthstarOperatorProps) {
    super(scope, id);
    this.namespace = props.namespace ?? 'northstar-system';
    this.selectorLabels = selectorLabels(OPERATOR_NAME);
    const replicas = props.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1) {
      throw new Error(`operator.replicas must be an integer >= 1, got ${replicas}`);
    }
    const resources = resolveResources(props.resources, 'operator.resources');
    const ports = props.apiServerEgress?.ports ?? [443, 6443];
    for (const port of ports) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`operator.apiServerEgress.ports must hold port numbers, got ${port}`);
      }
    }
    const labels = objectLabels(OPERATOR_NAME, 'operator', props.profile);
    const meta = (name: string): { name: string; namespace: string; labels: Record<string, string> } => ({
      name,
      namespace: this.namespace,
      labels: { ...labels },
    });

    if (props.createNamespace ?? true) {
      new NorthstarNamespace(this, 'Namespace', { name: this.namespace, labels: { ...labels } });
    }

    if (props.crd ?? true) {
      const crd = new Include(this, 'Crd', { url: props.crdFile ?? platformCrdFile() });
      for (const object of crd.apiObjects) {
        for (const [key, value] of Object.entries(labels)) {
          object.metadata.addLabel(key, value);
        }
      }
    }

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: meta(OPERATOR_NAME),
      automountToken: true,
    });
    const subjects = [{ kind: 'ServiceAccount', name: OPERATOR_NAME, namespace: this.namespace }];

    new kplus.k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: OPERATOR_NAME, labels: { ...labels } },
      rules: OPERATOR_CLUSTER_RULES.map((r) => ({ ...r })),
    });
    new kplus.k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: OPERATOR_NAME, labels: { ...labels } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: OPERATOR_NAME },
      subjects,
    });
    const leaseRole = `${OPERATOR_NAME}-leader-election`;
    new kplus.k8s.KubeRole(this, 'LeaseRole', {
      metadata: meta(leaseRole),
      rules: OPERATOR_LEASE_RULES.map((r) => ({ ...r })),
    });
    new kplus.k8s.KubeRoleBinding(this, 'LeaseRoleBinding', {
      metadata: meta(leaseRole),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leaseRole },
      subjects,
    });

    const probe = (path: string, periodSeconds: number, failureThreshold: number): kplus.Probe =>
      kplus.Probe.fromHttpGet(path, {
        port: OPERATOR_HEALTH_PORT,
        periodSeconds: Duration.seconds(periodSeconds),
        timeoutSeconds: Duration.seconds(2),
        failureThreshold,
      });
    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(64) });
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: meta(OPERATOR_NAME),
      select: false,
      podMetadata: { labels: { ...labels } },
      replicas,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      serviceAccount,
      automountServiceAccountToken: true,
      securityContext: restrictedPodContext(SERVICE_UID),
      // The operator stops reconciling and releases its Lease within 20 s of SIGTERM (src/main.ts).
      terminationGracePeriod: Duration.seconds(30),
      volumes: [tmp],
      containers: [
        {
          name: 'operator',
          image: imageRef(props.image, 'operator', 'operator.image'),
          imagePullPolicy: pullPolicy(props.image.pullPolicy ?? 'IfNotPresent'),
          ports: [{ name: 'health', number: OPERATOR_HEALTH_PORT, protocol: kplus.Protocol.TCP }],
          envVariables: {
            POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
            OPERATOR_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
            HEALTH_PORT: kplus.EnvValue.fromValue(String(OPERATOR_HEALTH_PORT)),
            LOG_LEVEL: kplus.EnvValue.fromValue(props.logLevel ?? 'info'),
          },
          volumeMounts: [{ path: '/tmp', volume: tmp }],
          securityContext: restrictedContainerContext(SERVICE_UID),
          resources: {
            cpu: { request: kplus.Cpu.millis(resources.cpuRequestMillis), limit: kplus.Cpu.millis(resources.cpuLimitMillis) },
            memory: { request: Size.mebibytes(resources.memoryRequestMiB), limit: Size.mebibytes(resources.memoryLimitMiB) },
          },
          // A standby is ready too (src/http/health-server.ts), so readiness never waits on the Lease.
          readiness: probe(HEALTH_PATHS.ready, 5, 2),
          liveness: probe(HEALTH_PATHS.live, 10, 3),
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: { ...this.selectorLabels } }));
    patchPodTemplate(this.deployment, { ...this.selectorLabels });

    if (replicas > 1) {
      new DisruptionBudget(this, 'DisruptionBudget', {
        name: OPERATOR_NAME,
        namespace: this.namespace,
        labels,
        selector: this.selectorLabels,
        maxUnavailable: 1,
      });
    }

    if (props.apiServerEgress) {
      new kplus.k8s.KubeNetworkPolicy(this, 'ApiServerEgress', {
        metadata: meta(`allow-${OPERATOR_NAME}`),
        spec: {
          podSelector: { matchLabels: { ...this.selectorLabels } },
          policyTypes: ['Egress'],
          egress: [{ ports: ports.map((port) => ({ port: kplus.k8s.IntOrString.fromNumber(port), protocol: 'TCP' })) }],
        },
      });
    }
  }
}
