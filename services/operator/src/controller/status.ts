import type { ComponentStatus, Condition, ConditionType, KubeObject, PlatformStatus } from '../render/platform-spec.js';

interface DeploymentLike extends KubeObject {
  readonly spec?: { readonly replicas?: number };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly readyReplicas?: number;
    readonly updatedReplicas?: number;
    readonly availableReplicas?: number;
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
  };
}

function workload(object: KubeObject | undefined): DeploymentLike | undefined {
  // The rule reads KubeObject's index signature as making both types equal; tsc needs the assertion.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  return object as DeploymentLike | undefined;
}

/** The component's pods all run the current template and are ready; old pods are gone. */
export function isRolledOut(object: KubeObject | undefined): boolean {
  const d = workload(object);
  if (!d) return false;
  const desired = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
    (s.updatedReplicas ?? 0) >= desired &&
    (s.readyReplicas ?? 0) >= desired &&
    (s.availableReplicas ?? 0) >= desired &&
    (s.replicas ?? 0) <= desired
  );
}

/** Serving at all (some version, enough pods), as the Deployment's own Available condition says. */
export function isAvailable(object: KubeObject | undefined): boolean {
  const conditions = workload(object)?.status?.conditions ?? [];
  return conditions.some((c) => c.type === 'Available' && c.status === 'True');
}

export function componentStatus(object: KubeObject | undefined): ComponentStatus {
  const d = workload(object);
  const image = ((d?.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec?.containers ?? [])[0]?.image;
  const status: ComponentStatus = {
    desired: d?.spec?.replicas ?? (d ? 1 : 0),
    ready: d?.status?.readyReplicas ?? 0,
    updated: d?.status?.updatedReplicas ?? 0,
  };
  return image ? { ...status, image } : status;
}

export interface Observation {
  readonly generation: number;
  /** The Deployments of the gated components, as last applied or read. */
  readonly workloads: Readonly<Record<string, KubeObject | undefined>>;
  /** Whether roadmap and identity were rolled out, so that the gateway was applied. */
  readonly gatePassed: boolean;
  readonly previous: PlatformStatus | undefined;
  readonly now: Date;
  readonly progressDeadlineSeconds: number;
  /** A spec the constructs refused, or an apply that failed. */
  readonly failure?: { readonly reason: 'InvalidSpec' | 'ApplyFailed'; readonly message: string };
}

/**
 * Conditions in the manner of a Deployment's: Available (every component serving),
 * Progressing (a rollout is under way, and which stage), Degraded (a rollout overran its
 * deadline, the spec was refused, or applying failed).
 */
export function computeStatus(o: Observation): PlatformStatus {
  const names = Object.keys(o.workloads);
  const components = Object.fromEntries(names.map((n) => [n, componentStatus(o.workloads[n])]));
  const notRolled = names.filter((n) => !isRolledOut(o.workloads[n]));
  const unavailable = names.filter((n) => !isAvailable(o.workloads[n]));
  const rolling = notRolled.length > 0 && !o.failure;
  const newGeneration = o.previous?.observedGeneration !== o.generation;
  const startedAt = rolling ? (newGeneration || !o.previous?.rolloutStartedAt ? o.now.toISOString() : o.previous.rolloutStartedAt) : undefined;
  const overran = startedAt !== undefined && o.now.getTime() - Date.parse(startedAt) > o.progressDeadlineSeconds * 1000;

  const available = cond('Available', unavailable.length === 0, unavailable.length === 0 ? 'AllComponentsAvailable' : 'ComponentsUnavailable',
    unavailable.length === 0 ? 'every component has its minimum of ready pods' : `not available: ${unavailable.join(', ')}`);
  const progressing = o.failure
    ? cond('Progressing', false, o.failure.reason, o.failure.message)
    : rolling
      ? cond('Progressing', true, o.gatePassed ? 'RollingOutGateway' : 'RollingOutBackends',
          o.gatePassed ? `waiting for: ${notRolled.join(', ')}` : `gateway waits until roadmap and identity are rolled out; waiting for: ${notRolled.join(', ')}`)
      : cond('Progressing', false, 'RolloutComplete', 'every component runs the requested version');
  const degraded = o.failure
    ? cond('Degraded', true, o.failure.reason, o.failure.message)
    : overran
      ? cond('Degraded', true, 'ProgressDeadlineExceeded',
          `not rolled out within ${o.progressDeadlineSeconds}s: ${notRolled.join(', ')}${o.gatePassed ? '' : ' (gateway left on its previous version)'}`)
      : cond('Degraded', false, 'AsExpected', '');

  const conditions = [available, progressing, degraded].map((c) => keepTransitionTime(c, o.previous?.conditions, o.now, o.generation));
  const status: PlatformStatus = {
    observedGeneration: o.generation,
    components,
    ready: `${names.length - notRolled.length}/${names.length}`,
    conditions,
  };
  return startedAt ? { ...status, rolloutStartedAt: startedAt } : status;
}

type Draft = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

function cond(type: ConditionType, ok: boolean, reason: string, message: string): Draft {
  return { type, status: ok ? 'True' : 'False', reason, message };
}

function keepTransitionTime(c: Draft, previous: readonly Condition[] | undefined, now: Date, generation: number): Condition {
  const old = previous?.find((p) => p.type === c.type);
  const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { ...c, lastTransitionTime, observedGeneration: generation };
}

/** Conditions whose status flipped, for Events. */
export function transitions(previous: PlatformStatus | undefined, next: PlatformStatus): Condition[] {
  return (next.conditions ?? []).filter((c) => previous?.conditions?.find((p) => p.type === c.type)?.status !== c.status);
}
