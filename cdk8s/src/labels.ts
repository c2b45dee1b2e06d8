import { APP_LABEL, PART_OF, PART_OF_LABEL } from '@northstar/contracts';

export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const PROFILE_LABEL = 'northstar.dev/profile';

/** The labels a Service, PDB or NetworkPolicy selects one workload's pods by. */
export function selectorLabels(name: string): Record<string, string> {
  return { [APP_LABEL]: name, [PART_OF_LABEL]: PART_OF };
}

/** Every object's labels: the selector labels plus descriptive ones that never take part in selection. */
export function objectLabels(name: string, component: string, profile: string): Record<string, string> {
  return {
    ...selectorLabels(name),
    [COMPONENT_LABEL]: component,
    [MANAGED_BY_LABEL]: 'cdk8s',
    [PROFILE_LABEL]: profile,
  };
}
