import { Chart, Testing } from 'cdk8s';
import { NorthstarPlatform, type NorthstarPlatformProps } from '../src/platform.js';
import { kindProfile, productionProfile } from '../src/profiles.js';

/** The parts of Kubernetes objects the tests read; everything else stays `unknown`. */
export interface Meta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
}

export interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly capabilities?: { readonly add?: string[]; readonly drop?: string[] };
  readonly seccompProfile?: { readonly type: string };
  readonly sysctls?: unknown[];
  readonly procMount?: string;
}

export interface Probe {
  readonly httpGet?: { readonly path: string; readonly port: number | string };
  readonly exec?: { readonly command: string[] };
  readonly periodSeconds?: number;
  readonly failureThreshold?: number;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy?: string;
  readonly ports?: { readonly containerPort: number; readonly name?: string; readonly hostPort?: number }[];
  readonly env?: {
    readonly name: string;
    readonly value?: string;
    readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } };
  }[];
  readonly envFrom?: { readonly configMapRef?: { readonly name: string } }[];
  readonly resources?: {
    readonly requests?: Record<string, string | number>;
    readonly limits?: Record<string, string | number>;
  };
  readonly securityContext?: SecurityContext;
  readonly startupProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly lifecycle?: { readonly preStop?: { readonly exec?: { readonly command: string[] } } };
  readonly volumeMounts?: { readonly name: string; readonly mountPath: string }[];
}

export interface PodSpec {
  readonly containers: Container[];
  readonly initContainers?: Container[];
  readonly securityContext?: SecurityContext;
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly terminationGracePeriodSeconds?: number;
  readonly topologySpreadConstraints?: { readonly topologyKey: string; readonly labelSelector: LabelSelector }[];
  readonly volumes?: ({ readonly name: string } & Record<string, unknown>)[];
}

export interface Workload {
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly metadata: Meta;
  readonly spec: {
    readonly replicas?: number;
    readonly selector: LabelSelector;
    readonly template: { readonly metadata: Meta; readonly spec: PodSpec };
  };
}

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: Meta;
  readonly [field: string]: unknown;
}

export function synth(props: NorthstarPlatformProps): K8sObject[] {
  const chart = new Chart(Testing.app(), 'test');
  new NorthstarPlatform(chart, 'northstar', props);
  return Testing.synth(chart) as K8sObject[];
}

export const PROFILES: readonly (readonly [string, NorthstarPlatformProps])[] = [
  ['kind', kindProfile()],
  ['production', productionProfile({ tag: '1.2.3' })],
];

export function ofKind<T = K8sObject>(objects: readonly K8sObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as unknown as T[];
}

export function named<T extends { readonly metadata: Meta }>(objects: readonly T[], name: string): T {
  const found = objects.find((o) => o.metadata.name === name);
  if (!found) {
    throw new Error(`no object named ${name} among ${objects.map((o) => o.metadata.name).join(', ')}`);
  }
  return found;
}

export function workloads(objects: readonly K8sObject[]): Workload[] {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as unknown as Workload[];
}

/** Whether `labels` satisfy a selector's matchLabels (an empty selector selects everything). */
export function matches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);
}
