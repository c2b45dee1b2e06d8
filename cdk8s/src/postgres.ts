import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { POSTGRES } from '@northstar/contracts';
import { objectLabels, selectorLabels } from './labels.js';
import type { SecretEnvSource } from './microservice.js';
import { type PullPolicy, type ResourceSettings, resolveResources } from './settings.js';

/** uid of `postgres` in the Alpine postgres image and in the locally built `northstar/postgres`. */
export const POSTGRES_UID = 70;

export interface PostgresProps {
  readonly namespace: string;
  readonly profile: string;
  /** Databases created on first start, one per service that owns one. */
  readonly databases: readonly string[];
  /** Secret key holding the superuser password (`POSTGRES_PASSWORD`). */
  readonly passwordSecret: SecretEnvSource;
  /**
   * Any image following the official image's conventions: `POSTGRES_PASSWORD`,
   * `PGDATA`, and `/docker-entrypoint-initdb.d/*.sql` run on first start.
   * @default 'postgres:16-alpine'
   */
  readonly image?: string;
  /** @default 'IfNotPresent' */
  readonly imagePullPolicy?: PullPolicy;
  /** Size of the data volume in GiB. @default 1 */
  readonly storageGiB?: number;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** uid the image's postgres user has. @default POSTGRES_UID */
  readonly runAsUser?: number;
  /** @default { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512 } */
  readonly resources?: ResourceSettings;
}

/**
 * A single-instance PostgreSQL StatefulSet for clusters without a managed database
 * (kind, demos). Production profiles point `DATABASE_URL` at a managed server instead.
 */
export class Postgres extends Construct {
  public readonly name = POSTGRES.name;
  public readonly port = POSTGRES.port;
  public readonly selectorLabels: Readonly<Record<string, string>> = selectorLabels(POSTGRES.name);

  public constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    const image = props.image ?? 'postgres:16-alpine';
    if (!/^[^\s:@]+(:[A-Za-z0-9_][A-Za-z0-9_.-]*|@sha256:[a-f0-9]{64})$/.test(image) || image.endsWith(':latest')) {
      throw new Error(`postgres.image must carry an explicit tag other than 'latest' or a digest, got '${image}'`);
    }
    if (props.databases.length === 0) {
      throw new Error('postgres.databases must name at least one database');
    }
    for (const db of props.databases) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(db)) {
        throw new Error(`postgres.databases: '${db}' is not a plain lower-case SQL identifier`);
      }
    }
    const storageGiB = props.storageGiB ?? 1;
    if (!Number.isInteger(storageGiB) || storageGiB < 1) {
      throw new Error(`postgres.storageGiB must be an integer >= 1, got ${storageGiB}`);
    }
    const uid = props.runAsUser ?? POSTGRES_UID;
    if (!Number.isInteger(uid) || uid < 1) {
      throw new Error(`postgres.runAsUser must be a non-root numeric uid, got ${uid}`);
    }
    const r = resolveResources(
      { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512, ...props.resources },
      'postgres.resources',
    );
    const labels = objectLabels(this.name, 'database', props.profile);
    const metadata = { name: this.name, namespace: props.namespace, labels };

    new kplus.ServiceAccount(this, 'ServiceAccount', { metadata, automountToken: false });

    const initSql = props.databases.map((db) => `CREATE DATABASE ${db};\n`).join('');
    new kplus.ConfigMap(this, 'Init', {
      metadata: { ...metadata, name: `${this.name}-init` },
      data: { '01-databases.sql': initSql },
    });

    new kplus.k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        clusterIp: 'None',
        selector: { ...this.selectorLabels },
        ports: [{ name: 'postgres', port: this.port, targetPort: kplus.k8s.IntOrString.fromNumber(this.port) }],
      },
    });

    const probe = (periodSeconds: number, failureThreshold: number): kplus.k8s.Probe => ({
      exec: { command: ['pg_isready', '-U', 'postgres', '-h', '127.0.0.1', '-p', String(this.port)] },
      periodSeconds,
      timeoutSeconds: 3,
      failureThreshold,
    });
    new kplus.k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata,
      spec: {
        serviceName: this.name,
        replicas: 1,
        selector: { matchLabels: { ...this.selectorLabels } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: this.name,
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: uid,
              runAsGroup: uid,
              fsGroup: uid,
              fsGroupChangePolicy: 'OnRootMismatch',
              seccompProfile: { type: 'RuntimeDefault' },
            },
            terminationGracePeriodSeconds: 60,
            containers: [
              {
                name: 'postgres',
                image,
                imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
                ports: [{ name: 'postgres', containerPort: this.port, protocol: 'TCP' }],
                env: [
                  {
                    name: 'POSTGRES_PASSWORD',
                    valueFrom: { secretKeyRef: { name: props.passwordSecret.secretName, key: props.passwordSecret.key } },
                  },
                  // A subdirectory: the volume's root may hold lost+found, which initdb refuses.
                  { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                ],
                resources: {
                  requests: {
                    cpu: kplus.k8s.Quantity.fromString(`${r.cpuRequestMillis}m`),
                    memory: kplus.k8s.Quantity.fromString(`${r.memoryRequestMiB}Mi`),
                  },
                  limits: {
                    cpu: kplus.k8s.Quantity.fromString(`${r.cpuLimitMillis}m`),
                    memory: kplus.k8s.Quantity.fromString(`${r.memoryLimitMiB}Mi`),
                  },
                },
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: uid,
                  runAsGroup: uid,
                  privileged: false,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                startupProbe: probe(2, 90),
                readinessProbe: probe(5, 2),
                livenessProbe: probe(10, 6),
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/postgresql/data' },
                  { name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true },
                  { name: 'run', mountPath: '/var/run/postgresql' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'init', configMap: { name: `${this.name}-init` } },
              { name: 'run', emptyDir: { sizeLimit: kplus.k8s.Quantity.fromString('16Mi') } },
              { name: 'tmp', emptyDir: { sizeLimit: kplus.k8s.Quantity.fromString('64Mi') } },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(props.storageClassName === undefined ? {} : { storageClassName: props.storageClassName }),
              resources: { requests: { storage: kplus.k8s.Quantity.fromString(`${storageGiB}Gi`) } },
            },
          },
        ],
      },
    });
  }
}
