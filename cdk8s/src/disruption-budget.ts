import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

export interface DisruptionBudgetProps {
  readonly name: string;
  readonly namespace: string;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Labels of the pods the budget protects. */
  readonly selector: Readonly<Record<string, string>>;
  /**
   * Pods that voluntary disruptions (drains, upgrades) may take down at once.
   * @default 1
   */
  readonly maxUnavailable?: number;
}

/** A `policy/v1` PodDisruptionBudget; cdk8s-plus-27 has no construct for one. */
export class DisruptionBudget extends Construct {
  public constructor(scope: Construct, id: string, props: DisruptionBudgetProps) {
    super(scope, id);
    const maxUnavailable = props.maxUnavailable ?? 1;
    if (!Number.isInteger(maxUnavailable) || maxUnavailable < 1) {
      throw new Error(`${props.name}.maxUnavailable must be an integer >= 1, got ${maxUnavailable}`);
    }
    if (Object.keys(props.selector).length === 0) {
      throw new Error(`${props.name}.selector must not be empty: an empty selector protects every pod`);
    }
    new kplus.k8s.KubePodDisruptionBudget(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        maxUnavailable: kplus.k8s.IntOrString.fromNumber(maxUnavailable),
        selector: { matchLabels: { ...props.selector } },
        // A crash-looping pod must not block node drains.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }
}
