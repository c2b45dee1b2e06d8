import { Construct } from 'constructs';
import { ENV, GATEWAY, IDENTITY, POSTGRES, ROADMAP, type ServiceName, type TcpService } from '@northstar/contracts';
import { PART_OF, PART_OF_LABEL } from '@northstar/contracts';
import { PROFILE_LABEL } from './labels.js';
import { Microservice, type SecretEnvSource } from './microservice.js';
import { NorthstarNamespace } from './namespace.js';
import { type DnsSettings, type Flow, type ExternalEgress, NetworkPolicies, type PodGroup } from './network-policies.js';
import { Postgres } from './postgres.js';
import { databaseUrlKey, SECRET_REFS } from './secrets.js';
import {
  type AutoscalingSettings,
  type ImageSettings,
  type PullPolicy,
  type ResourceSettings,
  type ShutdownSettings,
  imageRef,
} from './settings.js';

/** Settings of one service; any left out fall back to `NorthstarPlatformProps.defaults`. */
export interface ServiceSettings {
  /**
   * Where this service's image comes from.
   * @default - NorthstarPlatformProps.images
   */
  readonly image?: ImageSettings;
  /**
   * Fixed replica count. Setting it here ignores `defaults.autoscaling`.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Setting it here ignores `defaults.replicas`.
   * @default - no HorizontalPodAutoscaler
   */
  readonly autoscaling?: AutoscalingSettings;
  /** @default DEFAULT_RESOURCES */
  readonly resources?: ResourceSettings;
  /** @default 'info' */
  readonly logLevel?: string;
}

/** PostgreSQL as a StatefulSet in the namespace. */
export interface InClusterDatabase {
  readonly mode: 'in-cluster';
  /** @default 'postgres:16-alpine' */
  readonly image?: string;
  /** @default 'IfNotPresent' */
  readonly imagePullPolicy?: PullPolicy;
  /** @default 1 */
  readonly storageGiB?: number;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** @default - Postgres defaults */
  readonly resources?: ResourceSettings;
}

/** A database outside the cluster; `northstar-db` holds its URLs. */
export interface ExternalDatabase {
  readonly mode: 'external';
  /** @default 5432 */
  readonly port?: number;
  /**
   * Address range the services may reach it at.
   * @default - any address on `port`
   */
  readonly cidr?: string;
}

export type DatabaseSettings = InClusterDatabase | ExternalDatabase;

export interface NorthstarPlatformProps {
  /** Profile name (`kind`, `production`, ...), written as a label on every object. */
  readonly profile: string;
  /** @default 'northstar' */
  readonly namespace?: string;
  /**
   * Whether to synthesize the Namespace. The operator, which lives in its own namespace
   * and is handed an existing one, turns it off.
   * @default true
   */
  readonly createNamespace?: boolean;
  /** Default image registry, tag and pull policy of the three services. */
  readonly images: ImageSettings;
  /** @default {} */
  readonly defaults?: ServiceSettings;
  /** @default {} */
  readonly services?: { readonly [name in ServiceName]?: ServiceSettings };
  /** @default { mode: 'in-cluster' } */
  readonly database?: DatabaseSettings;
  /** @default true */
  readonly networkPolicies?: boolean;
  /** @default - CoreDNS in kube-system */
  readonly dns?: DnsSettings;
  /**
   * Origins the gateway allows through CORS.
   * @default []
   */
  readonly corsOrigins?: readonly string[];
  /** @default DEFAULT_SHUTDOWN */
  readonly shutdown?: ShutdownSettings;
}

/**
 * Everything Northstar runs on a cluster: namespace, the three services, PostgreSQL
 * (unless external) and the network policies between them. Secrets are referenced
 * by name only (see SECRET_REFS); the deploy step creates them.
 */
export class NorthstarPlatform extends Construct {
  public readonly namespace: string;
  public readonly services: Readonly<Record<ServiceName, Microservice>>;
  /** The in-cluster database, when there is one. */
  public readonly postgres?: Postgres;

  public constructor(scope: Construct, id: string, props: NorthstarPlatformProps) {
    super(scope, id);
    this.namespace = props.namespace ?? 'northstar';
    const database = props.database ?? { mode: 'in-cluster' };
    if (database.mode === 'external' && database.port !== undefined && (database.port < 1 || database.port > 65535)) {
      throw new Error(`database.port must be a port number, got ${database.port}`);
    }
    for (const name of Object.keys(props.services ?? {})) {
      if (![GATEWAY.name, ROADMAP.name, IDENTITY.name].includes(name as ServiceName)) {
        throw new Error(`services.${name} is not a Northstar service`);
      }
    }
    if ((props.corsOrigins ?? []).some((o) => o.includes(','))) {
      throw new Error('corsOrigins entries must not contain commas; list each origin separately');
    }

    if (props.createNamespace ?? true) {
      new NorthstarNamespace(this, 'Namespace', {
        name: this.namespace,
        labels: { [PART_OF_LABEL]: PART_OF, [PROFILE_LABEL]: props.profile },
      });
    }

    const dbUrl = (svc: TcpService): SecretEnvSource => ({
      secretName: SECRET_REFS.database.name,
      key: databaseUrlKey(svc),
    });
    const service = (
      svc: typeof GATEWAY | TcpService,
      config: Record<string, string>,
      secretEnv: Record<string, SecretEnvSource>,
    ): Microservice => {
      const own = props.services?.[svc.name] ?? {};
      const defaults = props.defaults ?? {};
      const ownsScaling = own.replicas !== undefined || own.autoscaling !== undefined;
      const merged: ServiceSettings = {
        ...defaults,
        ...own,
        replicas: ownsScaling ? own.replicas : defaults.replicas,
        autoscaling: ownsScaling ? own.autoscaling : defaults.autoscaling,
      };
      const field = props.services?.[svc.name]?.image ? `services.${svc.name}.image` : 'images';
      const image = merged.image ?? props.images;
      return new Microservice(this, svc.name, {
        service: svc,
        namespace: this.namespace,
        profile: props.profile,
        image: imageRef(image, svc.name, field),
        imagePullPolicy: image.pullPolicy ?? 'IfNotPresent',
        replicas: merged.replicas,
        autoscaling: merged.autoscaling,
        resources: merged.resources,
        logLevel: merged.logLevel,
        shutdown: props.shutdown,
        config,
        secretEnv,
      });
    };

    this.services = {
      gateway: service(
        GATEWAY,
        {
          [ROADMAP.clientEnv.host]: ROADMAP.name,
          [ROADMAP.clientEnv.port]: String(ROADMAP.port),
          [IDENTITY.clientEnv.host]: IDENTITY.name,
          [IDENTITY.clientEnv.port]: String(IDENTITY.port),
          [ENV.corsOrigins]: (props.corsOrigins ?? []).join(','),
        },
        {
          [ENV.webhookSecret]: { secretName: SECRET_REFS.webhook.name, key: SECRET_REFS.webhook.keys.secret },
        },
      ),
      roadmap: service(ROADMAP, {}, { [ENV.databaseUrl]: dbUrl(ROADMAP) }),
      identity: service(
        IDENTITY,
        {},
        {
          [ENV.databaseUrl]: dbUrl(IDENTITY),
          [ENV.jwtSigningKeys]: { secretName: SECRET_REFS.jwt.name, key: SECRET_REFS.jwt.keys.signingKeys },
        },
      ),
    };

    if (database.mode === 'in-cluster') {
      this.postgres = new Postgres(this, 'postgres', {
        namespace: this.namespace,
        profile: props.profile,
        databases: [ROADMAP.database, IDENTITY.database],
        passwordSecret: { secretName: SECRET_REFS.database.name, key: SECRET_REFS.database.keys.postgresPassword },
        image: database.image,
        imagePullPolicy: database.imagePullPolicy,
        storageGiB: database.storageGiB,
        storageClassName: database.storageClassName,
        resources: database.resources,
      });
    }

    if (props.networkPolicies ?? true) {
      const groups: PodGroup[] = Object.values(this.services).map((s) => ({ name: s.name, labels: s.selectorLabels }));
      const flows: Flow[] = [ROADMAP, IDENTITY].map((s) => ({ from: GATEWAY.name, to: s.name, port: s.port }));
      const externalEgress: ExternalEgress[] = [];
      for (const s of [ROADMAP, IDENTITY]) {
        if (this.postgres) {
          flows.push({ from: s.name, to: POSTGRES.name, port: POSTGRES.port });
        } else if (database.mode === 'external') {
          externalEgress.push({ from: s.name, port: database.port ?? POSTGRES.port, cidr: database.cidr });
        }
      }
      if (this.postgres) {
        groups.push({ name: this.postgres.name, labels: this.postgres.selectorLabels });
      }
      new NetworkPolicies(this, 'NetworkPolicies', {
        namespace: this.namespace,
        labels: { [PART_OF_LABEL]: PART_OF, [PROFILE_LABEL]: props.profile },
        groups,
        flows,
        publicIngress: [{ to: GATEWAY.name, port: GATEWAY.port }],
        externalEgress,
        dns: props.dns,
      });
    }
  }
}
