import type { ServiceName } from '@northstar/contracts';

/** The custom resource, as the CRD in deploy/crd.yaml defines it. */
export const PLATFORM_GROUP = 'northstar.dev';
export const PLATFORM_VERSION = 'v1alpha1';
export const PLATFORM_API_VERSION = `${PLATFORM_GROUP}/${PLATFORM_VERSION}`;
export const PLATFORM_KIND = 'Platform';
export const PLATFORM_PLURAL = 'platforms';

export type PullPolicy = 'IfNotPresent' | 'Always' | 'Never';

export interface ResourcesSpec {
  readonly cpuRequestMillis?: number;
  readonly cpuLimitMillis?: number;
  readonly memoryRequestMiB?: number;
  readonly memoryLimitMiB?: number;
}

export interface AutoscalingSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilization?: number;
}

export interface ServiceSpec {
  /** Overrides `spec.image.tag` for this service. */
  readonly tag?: string;
  readonly replicas?: number;
  readonly autoscaling?: AutoscalingSpec;
  readonly resources?: ResourcesSpec;
  readonly logLevel?: string;
}

export type DatabaseSpec =
  | { readonly mode: 'in-cluster'; readonly image?: string; readonly storageGiB?: number; readonly storageClassName?: string }
  | { readonly mode: 'external'; readonly secretRef: { readonly name: string }; readonly port?: number; readonly cidr?: string };

export interface PlatformSpec {
  readonly image: { readonly registry: string; readonly tag: string; readonly pullPolicy?: PullPolicy };
  readonly services?: { readonly [name in ServiceName]?: ServiceSpec };
  readonly database?: DatabaseSpec;
  readonly networkPolicies?: boolean;
  readonly corsOrigins?: readonly string[];
  readonly rollout?: {
    /** Seconds a rollout may take before the Platform turns Degraded. */
    readonly progressDeadlineSeconds?: number;
  };
}

export type ConditionType = 'Available' | 'Progressing' | 'Degraded';

export interface Condition {
  readonly type: ConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

export interface ComponentStatus {
  readonly desired: number;
  readonly ready: number;
  readonly updated: number;
  readonly image?: string;
}

export interface PlatformStatus {
  readonly observedGeneration?: number;
  readonly components?: Readonly<Record<string, ComponentStatus>>;
  readonly ready?: string;
  readonly conditions?: readonly Condition[];
  /** When the rollout still in progress started; absent once everything is rolled out. */
  readonly rolloutStartedAt?: string;
}

export interface KubeMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly generation?: number;
  readonly resourceVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly deletionTimestamp?: string;
  readonly ownerReferences?: readonly OwnerReference[];
  readonly creationTimestamp?: string;
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: KubeMeta;
  readonly [field: string]: unknown;
}

export interface Platform extends KubeObject {
  readonly spec: PlatformSpec;
  readonly status?: PlatformStatus;
}
