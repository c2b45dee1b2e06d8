import type { DatabaseSettings, NorthstarPlatformProps, ServiceSettings } from '@northstar/cdk8s';
import { SERVICES, type ServiceName } from '@northstar/contracts';
import type { PlatformSpec, ServiceSpec } from './platform-spec.js';

/** Profile label the operator's objects carry, next to `kind` and `production` of the synth app. */
export const OPERATOR_PROFILE = 'operator';

/**
 * Maps a Platform's spec onto the cdk8s construct's props. The construct stays the one
 * description of the objects; this only translates names and fills the operator's choices
 * (the namespace is the Platform's, and already exists).
 */
export function toPlatformProps(spec: PlatformSpec, namespace: string): NorthstarPlatformProps {
  const pullPolicy = spec.image.pullPolicy ?? 'IfNotPresent';
  const services: { [name in ServiceName]?: ServiceSettings } = {};
  for (const { name } of SERVICES) {
    services[name] = toServiceSettings(spec.services?.[name] ?? {}, spec, pullPolicy);
  }
  return {
    profile: OPERATOR_PROFILE,
    namespace,
    createNamespace: false,
    images: { registry: spec.image.registry, tag: spec.image.tag, pullPolicy },
    services,
    database: toDatabase(spec),
    networkPolicies: spec.networkPolicies ?? true,
    corsOrigins: spec.corsOrigins ?? [],
  };
}

function toServiceSettings(s: ServiceSpec, spec: PlatformSpec, pullPolicy: NonNullable<PlatformSpec['image']['pullPolicy']>): ServiceSettings {
  return {
    image: { registry: spec.image.registry, tag: s.tag ?? spec.image.tag, pullPolicy },
    // Neither set means one fixed pod; the construct treats both unset as "use defaults".
    replicas: s.autoscaling ? undefined : (s.replicas ?? 1),
    autoscaling: s.autoscaling
      ? { minReplicas: s.autoscaling.minReplicas, maxReplicas: s.autoscaling.maxReplicas, targetCpuUtilization: s.autoscaling.targetCpuUtilization }
      : undefined,
    resources: s.resources ? { ...s.resources } : undefined,
    logLevel: s.logLevel,
  };
}

function toDatabase(spec: PlatformSpec): DatabaseSettings {
  const db = spec.database ?? { mode: 'in-cluster' };
  switch (db.mode) {
    case 'in-cluster':
      return { mode: 'in-cluster', image: db.image, storageGiB: db.storageGiB, storageClassName: db.storageClassName };
    case 'external':
      return { mode: 'external', port: db.port, cidr: db.cidr };
  }
}

/** Name of the Secret holding the services' database URLs, when the spec names its own. */
export function externalDatabaseSecret(spec: PlatformSpec): string | undefined {
  return spec.database?.mode === 'external' ? spec.database.secretRef.name : undefined;
}
