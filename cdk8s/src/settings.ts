/** Pull policy for a container image. Locally loaded images (kind) need `IfNotPresent`. */
export type PullPolicy = 'IfNotPresent' | 'Always' | 'Never';

/** Where a workload's image comes from. The image is `<registry>/<name>:<tag>`. */
export interface ImageSettings {
  /**
   * Registry and path prefix, without a trailing slash (`ghcr.io/acme`, or `northstar` for
   * images loaded into kind).
   */
  readonly registry: string;
  /** Image tag. Must be set and must not be `latest`: a rollout has to name what it deploys. */
  readonly tag: string;
  /**
   * @default 'IfNotPresent'
   */
  readonly pullPolicy?: PullPolicy;
}

/** Requests and limits of one container. */
export interface ResourceSettings {
  /** @default 50 */
  readonly cpuRequestMillis?: number;
  /** @default 500 */
  readonly cpuLimitMillis?: number;
  /** @default 128 */
  readonly memoryRequestMiB?: number;
  /** @default 256 */
  readonly memoryLimitMiB?: number;
}

/** A HorizontalPodAutoscaler (autoscaling/v2) on CPU utilisation. */
export interface AutoscalingSettings {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /**
   * Average CPU utilisation, as a percentage of the request, that the HPA aims at.
   * @default 70
   */
  readonly targetCpuUtilization?: number;
  /**
   * Seconds the HPA waits, taking the highest recommendation seen, before it scales down.
   * @default 300
   */
  readonly scaleDownStabilizationSeconds?: number;
}

/**
 * How a pod leaves. Kubernetes runs preStop, then sends SIGTERM; the service then fails
 * readiness for `shutdownDelayMs` and drains. All of it must fit in the grace period.
 */
export interface ShutdownSettings {
  /** @default 5 */
  readonly preStopSleepSeconds?: number;
  /** Value of `SHUTDOWN_DELAY_MS`. @default 5000 */
  readonly shutdownDelayMs?: number;
  /** Longest drain the services allow themselves after the delay. @default 10 */
  readonly drainSeconds?: number;
  /** @default 30 */
  readonly terminationGracePeriodSeconds?: number;
}

export const DEFAULT_RESOURCES: Required<ResourceSettings> = {
  cpuRequestMillis: 50,
  cpuLimitMillis: 500,
  memoryRequestMiB: 128,
  memoryLimitMiB: 256,
};

export const DEFAULT_SHUTDOWN: Required<ShutdownSettings> = {
  preStopSleepSeconds: 5,
  shutdownDelayMs: 5000,
  drainSeconds: 10,
  terminationGracePeriodSeconds: 30,
};

export function imageRef(image: ImageSettings, name: string, field: string): string {
  if (image.registry === '' || image.registry.endsWith('/')) {
    throw new Error(`${field}.registry must be non-empty and have no trailing slash, got '${image.registry}'`);
  }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(image.tag)) {
    throw new Error(`${field}.tag must be a valid image tag, got '${image.tag}'`);
  }
  if (image.tag === 'latest') {
    throw new Error(`${field}.tag must not be 'latest': name the version being deployed`);
  }
  return `${image.registry}/${name}:${image.tag}`;
}

export function resolveResources(resources: ResourceSettings | undefined, field: string): Required<ResourceSettings> {
  const r = { ...DEFAULT_RESOURCES, ...resources };
  for (const [key, value] of Object.entries(r)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new Error(`${field}.${key} must be a positive integer, got ${value}`);
    }
  }
  if (r.cpuLimitMillis < r.cpuRequestMillis) {
    throw new Error(`${field}.cpuLimitMillis (${r.cpuLimitMillis}) must be >= cpuRequestMillis (${r.cpuRequestMillis})`);
  }
  if (r.memoryLimitMiB < r.memoryRequestMiB) {
    throw new Error(`${field}.memoryLimitMiB (${r.memoryLimitMiB}) must be >= memoryRequestMiB (${r.memoryRequestMiB})`);
  }
  return r;
}

export function resolveShutdown(shutdown: ShutdownSettings | undefined, field: string): Required<ShutdownSettings> {
  const s = { ...DEFAULT_SHUTDOWN, ...shutdown };
  for (const [key, value] of Object.entries(s)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`${field}.${key} must be a non-negative integer, got ${value}`);
    }
  }
  const needed = s.preStopSleepSeconds + Math.ceil(s.shutdownDelayMs / 1000) + s.drainSeconds;
  if (needed >= s.terminationGracePeriodSeconds) {
    throw new Error(
      `${field}.terminationGracePeriodSeconds (${s.terminationGracePeriodSeconds}) must exceed preStopSleepSeconds + ` +
        `shutdownDelayMs + drainSeconds (${needed} s), or the kubelet kills pods mid-drain`,
    );
  }
  return s;
}

export function validateAutoscaling(a: AutoscalingSettings, field: string): Required<AutoscalingSettings> {
  const r = { targetCpuUtilization: 70, scaleDownStabilizationSeconds: 300, ...a };
  if (!Number.isInteger(r.minReplicas) || r.minReplicas < 1) {
    throw new Error(`${field}.minReplicas must be an integer >= 1, got ${r.minReplicas}`);
  }
  if (!Number.isInteger(r.maxReplicas) || r.maxReplicas < r.minReplicas) {
    throw new Error(`${field}.maxReplicas (${r.maxReplicas}) must be an integer >= minReplicas (${r.minReplicas})`);
  }
  if (r.targetCpuUtilization < 1 || r.targetCpuUtilization > 100) {
    throw new Error(`${field}.targetCpuUtilization must be within 1..100, got ${r.targetCpuUtilization}`);
  }
  if (r.scaleDownStabilizationSeconds < 0 || r.scaleDownStabilizationSeconds > 3600) {
    throw new Error(`${field}.scaleDownStabilizationSeconds must be within 0..3600, got ${r.scaleDownStabilizationSeconds}`);
  }
  return r;
}
