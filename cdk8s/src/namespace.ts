import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface NorthstarNamespaceProps {
  readonly name: string;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Pod Security Standard the namespace enforces (and audits and warns about).
   * @default 'restricted'
   */
  readonly podSecurity?: PodSecurityLevel;
}

/** The namespace, with Pod Security admission enforcing the standard the pods are built for. */
export class NorthstarNamespace extends Construct {
  public readonly name: string;

  public constructor(scope: Construct, id: string, props: NorthstarNamespaceProps) {
    super(scope, id);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.name)) {
      throw new Error(`namespace '${props.name}' is not a valid DNS label`);
    }
    this.name = props.name;
    const level = props.podSecurity ?? 'restricted';
    new kplus.Namespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/audit': level,
          'pod-security.kubernetes.io/warn': level,
        },
      },
    });
  }
}
