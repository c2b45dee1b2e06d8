import type { NorthstarPlatformProps } from './platform.js';

export type ProfileName = 'kind' | 'production';

export interface ProfileOptions {
  /**
   * @default 'northstar' for kind, 'ghcr.io/northstar' for production
   */
  readonly registry?: string;
  /**
   * @default 'dev' for kind; production has no default and must name a release
   */
  readonly tag?: string;
}

/**
 * A local kind cluster: one pod each, small requests, images loaded with
 * `kind load` (hence `IfNotPresent`), PostgreSQL in the namespace.
 */
export function kindProfile(options: ProfileOptions = {}): NorthstarPlatformProps {
  return {
    profile: 'kind',
    images: { registry: options.registry ?? 'northstar', tag: options.tag ?? 'dev', pullPolicy: 'IfNotPresent' },
    defaults: {
      replicas: 1,
      logLevel: 'debug',
      resources: { cpuRequestMillis: 25, cpuLimitMillis: 500, memoryRequestMiB: 128, memoryLimitMiB: 384 },
    },
    database: {
      mode: 'in-cluster',
      image: `${options.registry ?? 'northstar'}/postgres:${options.tag ?? 'dev'}`,
      imagePullPolicy: 'IfNotPresent',
      storageGiB: 1,
      resources: { cpuRequestMillis: 50, cpuLimitMillis: 1000, memoryRequestMiB: 128, memoryLimitMiB: 512 },
    },
    corsOrigins: ['http://localhost:3001'],
  };
}

/**
 * Production: at least two pods behind an HPA and a PDB each, a managed PostgreSQL
 * reached through `northstar-db`.
 */
export function productionProfile(options: ProfileOptions & { readonly tag: string }): NorthstarPlatformProps {
  return {
    profile: 'production',
    images: { registry: options.registry ?? 'ghcr.io/northstar', tag: options.tag, pullPolicy: 'IfNotPresent' },
    defaults: {
      autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 70, scaleDownStabilizationSeconds: 300 },
      logLevel: 'info',
      resources: { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512 },
    },
    services: {
      // The measured bottleneck is the gateway process (DESIGN.md), so it gets the most headroom.
      gateway: {
        autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 65, scaleDownStabilizationSeconds: 300 },
      },
    },
    database: { mode: 'external' },
  };
}
