/** The kinds the operator reads or writes, with their REST paths (no discovery needed for a fixed set). */
export interface ResourceKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
}

export const OWNED_KINDS: readonly ResourceKind[] = [
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts' },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps' },
  { apiVersion: 'v1', kind: 'Service', plural: 'services' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets' },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets' },
];

/** Apply order within a stage: what others refer to comes first. */
export function applyRank(kind: string): number {
  const i = OWNED_KINDS.findIndex((k) => k.kind === kind);
  return i < 0 ? OWNED_KINDS.length : i;
}

export function kindOf(apiVersion: string, kind: string): ResourceKind {
  const found = OWNED_KINDS.find((k) => k.apiVersion === apiVersion && k.kind === kind);
  if (!found) {
    throw new Error(`the operator has no RBAC and no watch for ${apiVersion} ${kind}; add it to OWNED_KINDS and deploy/rbac.yaml`);
  }
  return found;
}

/** Collection path, for one namespace or (without one) the whole cluster. */
export function collectionPath(k: ResourceKind, namespace?: string): string {
  const base = k.apiVersion.includes('/') ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${k.plural}` : `${base}/${k.plural}`;
}

export function objectPath(k: ResourceKind, namespace: string, name: string): string {
  return `${collectionPath(k, namespace)}/${encodeURIComponent(name)}`;
}
