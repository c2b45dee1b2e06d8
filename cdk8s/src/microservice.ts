import { createHash } from 'node:crypto';
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ENV, HEALTH_PATHS, type HttpService, type TcpService } from '@northstar/contracts';
import { DisruptionBudget } from './disruption-budget.js';
import { objectLabels, selectorLabels } from './labels.js';
import { patchPodTemplate, restrictedContainerContext, restrictedPodContext, SERVICE_UID } from './security.js';
import {
  type AutoscalingSettings,
  type PullPolicy,
  type ResourceSettings,
  type ShutdownSettings,
  resolveResources,
  resolveShutdown,
  validateAutoscaling,
} from './settings.js';

/** An environment variable read from a Secret that the deploy step creates. */
export interface SecretEnvSource {
  readonly secretName: string;
  readonly key: string;
}

export interface MicroserviceProps {
  /** The service's entry in the contracts topology: name, ports, env names. */
  readonly service: HttpService | TcpService;
  readonly namespace: string;
  /** Profile name, written as a label. */
  readonly profile: string;
  /** Full image reference, `registry/name:tag`. */
  readonly image: string;
  /** @default 'IfNotPresent' */
  readonly imagePullPolicy?: PullPolicy;
  /**
   * Fixed replica count. Mutually exclusive with `autoscaling`.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Scale with an HPA instead of a fixed count.
   * @default - no HorizontalPodAutoscaler
   */
  readonly autoscaling?: AutoscalingSettings;
  /** @default DEFAULT_RESOURCES */
  readonly resources?: ResourceSettings;
  /** @default DEFAULT_SHUTDOWN */
  readonly shutdown?: ShutdownSettings;
  /** @default 'info' */
  readonly logLevel?: string;
  /**
   * Further plain settings for the service's ConfigMap.
   * @default {}
   */
  readonly config?: Readonly<Record<string, string>>;
  /**
   * Variables read from Secrets, by env name.
   * @default {}
   */
  readonly secretEnv?: Readonly<Record<string, SecretEnvSource>>;
}

/**
 * One Northstar service: ServiceAccount, ConfigMap, Deployment, its Services,
 * and, when it runs more than one pod, an HPA and a PodDisruptionBudget.
 *
 * The gateway gets a ClusterIP Service. A TCP service gets a headless Service under
 * its own name, so the gateway's client pool resolves every pod address, and a
 * ClusterIP `<name>-lb` for tools (docs/adr/0004-service-naming.md).
 */
export class Microservice extends Construct {
  public readonly name: string;
  /** Labels selecting this service's pods. */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /** Names of the Services in front of the pods; the first is the one clients use. */
  public readonly serviceNames: readonly string[];
  /** Smallest number of pods this service runs. */
  public readonly minReplicas: number;
  public readonly deployment: kplus.Deployment;

  public constructor(scope: Construct, id: string, props: MicroserviceProps) {
    super(scope, id);
    const svc = props.service;
    this.name = svc.name;
    this.selectorLabels = selectorLabels(svc.name);

    if (props.replicas !== undefined && props.autoscaling !== undefined) {
      throw new Error(`${svc.name}: replicas and autoscaling are mutually exclusive; set autoscaling.minReplicas instead`);
    }
    if (props.replicas !== undefined && (!Number.isInteger(props.replicas) || props.replicas < 1)) {
      throw new Error(`${svc.name}.replicas must be an integer >= 1, got ${props.replicas}`);
    }
    const autoscaling = props.autoscaling && validateAutoscaling(props.autoscaling, `${svc.name}.autoscaling`);
    const resources = resolveResources(props.resources, `${svc.name}.resources`);
    const shutdown = resolveShutdown(props.shutdown, `${svc.name}.shutdown`);
    this.minReplicas = autoscaling?.minReplicas ?? props.replicas ?? 1;

    const labels = objectLabels(svc.name, svc.transport === 'http' ? 'gateway' : 'microservice', props.profile);
    const meta = (name: string): { name: string; namespace: string; labels: Record<string, string> } => ({
      name,
      namespace: props.namespace,
      labels,
    });

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: meta(svc.name),
      automountToken: false,
    });

    const data: Record<string, string> = {
      [svc.portEnv]: String(svc.port),
      [ENV.logLevel]: props.logLevel ?? 'info',
      [ENV.shutdownDelayMs]: String(shutdown.shutdownDelayMs),
      ...(svc.transport === 'tcp'
        ? { [svc.bindHostEnv]: '0.0.0.0', [svc.healthPortEnv]: String(svc.healthPort) }
        : {}),
      ...props.config,
    };
    const configMap = new kplus.ConfigMap(this, 'Config', { metadata: meta(`${svc.name}-config`), data });

    const ports: kplus.ContainerPort[] = [{ name: svc.transport, number: svc.port, protocol: kplus.Protocol.TCP }];
    if (svc.healthPort !== svc.port) {
      ports.push({ name: 'health', number: svc.healthPort, protocol: kplus.Protocol.TCP });
    }
    const probe = (path: string, periodSeconds: number, failureThreshold: number): kplus.Probe =>
      kplus.Probe.fromHttpGet(path, {
        port: svc.healthPort,
        periodSeconds: Duration.seconds(periodSeconds),
        timeoutSeconds: Duration.seconds(2),
        failureThreshold,
      });
    const envVariables: Record<string, kplus.EnvValue> = {};
    for (const [env, source] of Object.entries(props.secretEnv ?? {})) {
      const secret = kplus.Secret.fromSecretName(this, `Secret-${env}`, source.secretName);
      envVariables[env] = kplus.EnvValue.fromSecretValue({ secret, key: source.key });
    }

    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(64) });
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: meta(svc.name),
      // cdk8s-plus would otherwise select on a hashed `cdk8s.io/metadata.addr` label.
      select: false,
      podMetadata: {
        labels,
        annotations: { 'northstar.dev/config-hash': hash(data) },
      },
      replicas: autoscaling ? undefined : this.minReplicas,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      serviceAccount,
      automountServiceAccountToken: false,
      securityContext: restrictedPodContext(SERVICE_UID),
      terminationGracePeriod: Duration.seconds(shutdown.terminationGracePeriodSeconds),
      volumes: [tmp],
      containers: [
        {
          name: svc.name,
          image: props.image,
          imagePullPolicy: pullPolicy(props.imagePullPolicy ?? 'IfNotPresent'),
          ports,
          envFrom: [kplus.Env.fromConfigMap(configMap)],
          envVariables,
          volumeMounts: [{ path: '/tmp', volume: tmp }],
          // Endpoints drop a terminating pod asynchronously; keep serving until they have.
          ...(shutdown.preStopSleepSeconds > 0
            ? { lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', String(shutdown.preStopSleepSeconds)]) } }
            : {}),
          securityContext: restrictedContainerContext(SERVICE_UID),
          resources: {
            cpu: {
              request: kplus.Cpu.millis(resources.cpuRequestMillis),
              limit: kplus.Cpu.millis(resources.cpuLimitMillis),
            },
            memory: {
              request: Size.mebibytes(resources.memoryRequestMiB),
              limit: Size.mebibytes(resources.memoryLimitMiB),
            },
          },
          // Startup covers boot and migrations (up to 2 min); liveness never looks at dependencies.
          startup: probe(HEALTH_PATHS.live, 2, 60),
          readiness: probe(HEALTH_PATHS.ready, 5, 2),
          liveness: probe(HEALTH_PATHS.live, 10, 3),
        },
      ],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: { ...this.selectorLabels } }));
    patchPodTemplate(this.deployment, { ...this.selectorLabels });

    const servicePort: kplus.ServicePort = {
      name: svc.transport,
      port: svc.port,
      targetPort: svc.port,
      protocol: kplus.Protocol.TCP,
    };
    const service = (id: string, name: string, headless: boolean): void => {
      const resource = new kplus.Service(this, id, {
        metadata: meta(name),
        ...(headless ? { clusterIP: 'None' } : { type: kplus.ServiceType.CLUSTER_IP }),
        ports: [servicePort],
      });
      // Passing the Deployment as `selector` would select on cdk8s-plus's hashed label.
      for (const [key, value] of Object.entries(this.selectorLabels)) {
        resource.selectLabel(key, value);
      }
    };
    if (svc.transport === 'http') {
      service('Service', svc.name, false);
      this.serviceNames = [svc.name];
    } else {
      service('Headless', svc.name, true);
      service('ClusterIp', `${svc.name}-lb`, false);
      this.serviceNames = [svc.name, `${svc.name}-lb`];
    }

    if (autoscaling) {
      new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
        metadata: meta(svc.name),
        target: this.deployment,
        minReplicas: autoscaling.minReplicas,
        maxReplicas: autoscaling.maxReplicas,
        metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(autoscaling.targetCpuUtilization))],
        scaleDown: {
          stabilizationWindow: Duration.seconds(autoscaling.scaleDownStabilizationSeconds),
          // At most one pod per minute: the TCP client pools re-resolve and re-balance in between.
          policies: [{ replicas: kplus.Replicas.absolute(1), duration: Duration.minutes(1) }],
        },
      });
    }

    if (this.minReplicas > 1) {
      new DisruptionBudget(this, 'DisruptionBudget', {
        name: svc.name,
        namespace: props.namespace,
        labels,
        selector: this.selectorLabels,
        maxUnavailable: 1,
      });
    }
  }
}

/** @internal shared by the constructs that run our images */
export function pullPolicy(policy: PullPolicy): kplus.ImagePullPolicy {
  switch (policy) {
    case 'Always':
      return kplus.ImagePullPolicy.ALWAYS;
    case 'IfNotPresent':
      return kplus.ImagePullPolicy.IF_NOT_PRESENT;
    case 'Never':
      return kplus.ImagePullPolicy.NEVER;
  }
}

function hash(data: Record<string, string>): string {
  const sorted = Object.keys(data)
    .sort()
    .map((key) => [key, data[key]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}
