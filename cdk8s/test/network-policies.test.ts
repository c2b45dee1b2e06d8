import { describe, expect, it } from '@jest/globals';
import { GATEWAY, IDENTITY, POSTGRES, ROADMAP } from '@northstar/contracts';
import { kindProfile, productionProfile } from '../src/profiles.js';
import { type K8sObject, type LabelSelector, matches, ofKind, synth, workloads } from './manifests.js';

interface Peer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string };
}
interface Rule {
  readonly from?: Peer[];
  readonly to?: Peer[];
  readonly ports?: { readonly port: number; readonly protocol: string }[];
}
interface Policy {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly podSelector: LabelSelector;
    readonly policyTypes: ('Ingress' | 'Egress')[];
    readonly ingress?: Rule[];
    readonly egress?: Rule[];
  };
}

/** A traffic endpoint: a pod (with its namespace's labels) or an address outside the cluster. */
interface Endpoint {
  readonly name: string;
  readonly namespace?: string;
  readonly namespaceLabels?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly ports: readonly { readonly port: number; readonly protocol: string }[];
}

function peerMatches(peer: Peer, policyNamespace: string, target: Endpoint): boolean {
  if (peer.ipBlock) {
    return target.namespace === undefined;
  }
  if (target.namespace === undefined) {
    return false;
  }
  const nsOk = peer.namespaceSelector
    ? matches(peer.namespaceSelector, target.namespaceLabels)
    : target.namespace === policyNamespace;
  return nsOk && (peer.podSelector === undefined || matches(peer.podSelector, target.labels));
}

function ruleAllows(rule: Rule, ns: string, peer: Endpoint, port: { port: number; protocol: string }, key: 'from' | 'to'): boolean {
  const peers = rule[key];
  const peerOk = peers === undefined || peers.some((p) => peerMatches(p, ns, peer));
  const portOk = rule.ports === undefined || rule.ports.some((p) => p.port === port.port && p.protocol === port.protocol);
  return peerOk && portOk;
}

/** NetworkPolicy semantics: a direction is open unless a policy selecting the pod isolates it, then only its rules allow. */
function allowed(policies: readonly Policy[], src: Endpoint, dst: Endpoint, port: { port: number; protocol: string }): boolean {
  const selecting = (e: Endpoint, type: 'Ingress' | 'Egress'): Policy[] =>
    policies.filter(
      (p) => e.namespace === p.metadata.namespace && matches(p.spec.podSelector, e.labels) && p.spec.policyTypes.includes(type),
    );
  const srcPolicies = selecting(src, 'Egress');
  const egressOk =
    srcPolicies.length === 0 ||
    srcPolicies.some((p) => (p.spec.egress ?? []).some((r) => ruleAllows(r, p.metadata.namespace, dst, port, 'to')));
  const dstPolicies = selecting(dst, 'Ingress');
  const ingressOk =
    dstPolicies.length === 0 ||
    dstPolicies.some((p) => (p.spec.ingress ?? []).some((r) => ruleAllows(r, p.metadata.namespace, src, port, 'from')));
  return egressOk && ingressOk;
}

function reachability(objects: readonly K8sObject[]): string[] {
  const policies = ofKind<Policy>(objects, 'NetworkPolicy');
  const ns = 'northstar';
  const pods: Endpoint[] = workloads(objects).map((w) => ({
    name: w.metadata.name,
    namespace: ns,
    namespaceLabels: { 'kubernetes.io/metadata.name': ns },
    labels: w.spec.template.metadata.labels,
    ports: w.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => ({ port: p.containerPort, protocol: 'TCP' }))),
  }));
  const dns: Endpoint = {
    name: 'dns',
    namespace: 'kube-system',
    namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
    labels: { 'k8s-app': 'kube-dns' },
    ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
  };
  const ingressController: Endpoint = {
    name: 'ingress',
    namespace: 'ingress-nginx',
    namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
    labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    ports: [],
  };
  const internet: Endpoint = { name: 'external', ports: [{ port: POSTGRES.port, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] };
  const all = [...pods, dns, ingressController, internet];
  const edges: string[] = [];
  for (const src of all) {
    for (const dst of all) {
      if (src === dst || (src.namespace !== ns && dst.namespace !== ns)) {
        continue;
      }
      for (const port of dst.ports) {
        if (allowed(policies, src, dst, port)) {
          edges.push(`${src.name} -> ${dst.name}:${port.port}/${port.protocol}`);
        }
      }
    }
  }
  return edges.sort();
}

const dnsEdges = (names: string[]): string[] => names.flatMap((n) => [`${n} -> dns:53/TCP`, `${n} -> dns:53/UDP`]);
// The gateway is the public entry: an ingress controller or load balancer may sit anywhere, so any
// source outside the namespace reaches its port; pods inside reach it only if their egress allows.
const publicEdges = ['dns', 'external', 'ingress'].map((n) => `${n} -> ${GATEWAY.name}:${GATEWAY.port}/TCP`);

describe('NetworkPolicies', () => {
  it('allow exactly outside → gateway, gateway → services, services → postgres and everyone → DNS (kind)', () => {
    // GIVEN the kind profile, WHEN every pair of endpoints is tried on every port they listen on
    const edges = reachability(synth(kindProfile()));
    // THEN only the designed paths are open
    expect(edges).toEqual(
      [
        ...dnsEdges([GATEWAY.name, ROADMAP.name, IDENTITY.name, POSTGRES.name]),
        `${GATEWAY.name} -> ${IDENTITY.name}:${IDENTITY.port}/TCP`,
        `${GATEWAY.name} -> ${ROADMAP.name}:${ROADMAP.port}/TCP`,
        `${IDENTITY.name} -> ${POSTGRES.name}:${POSTGRES.port}/TCP`,
        ...publicEdges,
        `${ROADMAP.name} -> ${POSTGRES.name}:${POSTGRES.port}/TCP`,
      ].sort(),
    );
  });

  it('let the services reach a managed database on its port, and nothing else outside (production)', () => {
    const edges = reachability(synth(productionProfile({ tag: '1.2.3' })));
    expect(edges).toEqual(
      [
        ...dnsEdges([GATEWAY.name, ROADMAP.name, IDENTITY.name]),
        `${GATEWAY.name} -> ${IDENTITY.name}:${IDENTITY.port}/TCP`,
        `${GATEWAY.name} -> ${ROADMAP.name}:${ROADMAP.port}/TCP`,
        `${IDENTITY.name} -> external:${POSTGRES.port}/TCP`,
        ...publicEdges,
        `${ROADMAP.name} -> external:${POSTGRES.port}/TCP`,
      ].sort(),
    );
  });

  it('select only pods that exist', () => {
    const objects = synth(kindProfile());
    const labels = workloads(objects).map((w) => w.spec.template.metadata.labels);
    for (const policy of ofKind<Policy>(objects, 'NetworkPolicy')) {
      expect(labels.some((l) => matches(policy.spec.podSelector, l))).toBe(true);
      const peers = [...(policy.spec.ingress ?? []), ...(policy.spec.egress ?? [])].flatMap((r) => [...(r.from ?? []), ...(r.to ?? [])]);
      for (const peer of peers.filter((p) => p.podSelector && !p.namespaceSelector)) {
        expect(labels.some((l) => matches(peer.podSelector, l))).toBe(true);
      }
    }
  });

  it('are left out when turned off', () => {
    expect(ofKind(synth({ ...kindProfile(), networkPolicies: false }), 'NetworkPolicy')).toEqual([]);
  });
});
