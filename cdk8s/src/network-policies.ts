import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/** A set of pods in the namespace, known by name for the flows below. */
export interface PodGroup {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Traffic allowed from one pod group to another on one TCP port. */
export interface Flow {
  readonly from: string;
  readonly to: string;
  readonly port: number;
}

/** Traffic from outside the namespace (an ingress controller, a port-forward) into a group. */
export interface PublicIngress {
  readonly to: string;
  readonly port: number;
}

/** Traffic from a group to something outside the cluster, such as a managed database. */
export interface ExternalEgress {
  readonly from: string;
  readonly port: number;
  /**
   * @default - any address
   */
  readonly cidr?: string;
}

/** Where cluster DNS runs. */
export interface DnsSettings {
  /** @default 'kube-system' */
  readonly namespace?: string;
  /** @default { 'k8s-app': 'kube-dns' } */
  readonly podLabels?: Readonly<Record<string, string>>;
}

export interface NetworkPoliciesProps {
  readonly namespace: string;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  readonly groups: readonly PodGroup[];
  /** @default [] */
  readonly flows?: readonly Flow[];
  /** @default [] */
  readonly publicIngress?: readonly PublicIngress[];
  /** @default [] */
  readonly externalEgress?: readonly ExternalEgress[];
  /** @default - CoreDNS as kubeadm and kind deploy it */
  readonly dns?: DnsSettings;
}

type Rule = kplus.k8s.NetworkPolicyIngressRule & kplus.k8s.NetworkPolicyEgressRule;

/**
 * Default-deny in both directions for the whole namespace, DNS egress for every pod,
 * then one policy per pod group allowing exactly the declared flows.
 *
 * Written out rather than with cdk8s-plus `isolate`/`connections`, whose isolation
 * also cuts DNS. Kubelet probes come from the node itself, which most CNIs
 * (Calico, Cilium, kindnet) let through regardless of NetworkPolicy, so probes
 * need no rule here.
 */
export class NetworkPolicies extends Construct {
  public constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const groups = new Map(props.groups.map((g) => [g.name, g]));
    if (groups.size !== props.groups.length) {
      throw new Error('groups must have unique names');
    }
    const group = (name: string, field: string): PodGroup => {
      const g = groups.get(name);
      if (!g) {
        throw new Error(`${field} names an unknown pod group '${name}' (known: ${[...groups.keys()].join(', ')})`);
      }
      return g;
    };
    const flows = props.flows ?? [];
    const publicIngress = props.publicIngress ?? [];
    const externalEgress = props.externalEgress ?? [];
    flows.forEach((f, i) => {
      group(f.from, `flows[${i}].from`);
      group(f.to, `flows[${i}].to`);
      checkPort(f.port, `flows[${i}].port`);
    });
    publicIngress.forEach((p, i) => {
      group(p.to, `publicIngress[${i}].to`);
      checkPort(p.port, `publicIngress[${i}].port`);
    });
    externalEgress.forEach((e, i) => {
      group(e.from, `externalEgress[${i}].from`);
      checkPort(e.port, `externalEgress[${i}].port`);
    });

    const policy = (name: string, spec: kplus.k8s.NetworkPolicySpec): void => {
      new kplus.k8s.KubeNetworkPolicy(this, name, {
        metadata: { name, namespace: props.namespace, labels: { ...props.labels } },
        spec,
      });
    };

    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

    const dns = props.dns ?? {};
    policy('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dns.namespace ?? 'kube-system' } },
              podSelector: { matchLabels: { ...(dns.podLabels ?? { 'k8s-app': 'kube-dns' }) } },
            },
          ],
          ports: [tcpOrUdp(53, 'UDP'), tcpOrUdp(53, 'TCP')],
        },
      ],
    });

    for (const g of props.groups) {
      const ingress: Rule[] = [
        ...flows
          .filter((f) => f.to === g.name)
          .map((f) => ({ from: [{ podSelector: selector(group(f.from, 'from')) }], ports: [tcpOrUdp(f.port, 'TCP')] })),
        ...publicIngress.filter((p) => p.to === g.name).map((p) => ({ ports: [tcpOrUdp(p.port, 'TCP')] })),
      ];
      const egress: Rule[] = [
        ...flows
          .filter((f) => f.from === g.name)
          .map((f) => ({ to: [{ podSelector: selector(group(f.to, 'to')) }], ports: [tcpOrUdp(f.port, 'TCP')] })),
        ...externalEgress
          .filter((e) => e.from === g.name)
          .map((e) => ({
            ...(e.cidr === undefined ? {} : { to: [{ ipBlock: { cidr: e.cidr } }] }),
            ports: [tcpOrUdp(e.port, 'TCP')],
          })),
      ];
      if (ingress.length === 0 && egress.length === 0) {
        continue;
      }
      policy(`allow-${g.name}`, {
        podSelector: selector(g),
        policyTypes: [...(ingress.length > 0 ? ['Ingress'] : []), ...(egress.length > 0 ? ['Egress'] : [])],
        ...(ingress.length > 0 ? { ingress } : {}),
        ...(egress.length > 0 ? { egress } : {}),
      });
    }
  }
}

function selector(g: PodGroup): kplus.k8s.LabelSelector {
  return { matchLabels: { ...g.labels } };
}

function tcpOrUdp(port: number, protocol: 'TCP' | 'UDP'): kplus.k8s.NetworkPolicyPort {
  return { port: kplus.k8s.IntOrString.fromNumber(port), protocol };
}

function checkPort(port: number, field: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${field} must be a port number, got ${port}`);
  }
}
