import { describe, expect, it } from '@jest/globals';
import type { NorthstarOperatorProps } from '../src/operator.js';
import { kindProfile, productionProfile } from '../src/profiles.js';
import { SECRET_REFS } from '../src/secrets.js';
import type { NorthstarPlatformProps } from '../src/platform.js';
import { type Values, key, render } from './helm.js';
import { type K8sObject, synth } from './manifests.js';
import { synthOperator } from './operator-manifests.js';

/**
 * The chart and the cdk8s app must render the same objects: same kind/name set,
 * equal specs. What may differ, and nothing else:
 *  - labels Helm adds or sets differently (chart, instance, version, managed-by);
 *  - the annotations that instruct Helm itself (`helm.sh/resource-policy` on the CRD);
 *  - the pod-template hash annotations (cdk8s `northstar.dev/config-hash`, Helm `checksum/*`);
 *  - fields cdk8s-plus writes out at their Kubernetes default (DEFAULTED below);
 *  - the Secrets the chart generates, which cdk8s only references (checked on their own).
 */
const HELM_LABELS = ['helm.sh/chart', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by'];
const HASH_ANNOTATIONS = /^(checksum\/|northstar\.dev\/config-hash$|helm\.sh\/resource-policy$)/;

/** Paths (under the object) to a field and the Kubernetes default that field takes when omitted. */
const DEFAULTED: Readonly<Record<string, readonly (readonly [string, unknown])[]>> = {
  Namespace: [['spec', {}]],
  ConfigMap: [['immutable', false]],
  Service: [
    ['spec.externalIPs', []],
    ['spec.type', 'ClusterIP'],
  ],
  Deployment: [
    ['spec.minReadySeconds', 0],
    ['spec.progressDeadlineSeconds', 600],
    ['spec.template.spec.dnsPolicy', 'ClusterFirst'],
    ['spec.template.spec.hostNetwork', false],
    ['spec.template.spec.restartPolicy', 'Always'],
    ['spec.template.spec.setHostnameAsFQDN', false],
  ],
};

type Json = Record<string, unknown>;

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function dropDefault(object: Json, path: string, fallback: unknown): void {
  const parts = path.split('.');
  const last = parts.pop()!;
  let parent: unknown = object;
  for (const part of parts) {
    parent = (parent as Json | undefined)?.[part];
  }
  if (parent !== null && typeof parent === 'object' && JSON.stringify((parent as Json)[last]) === JSON.stringify(fallback)) {
    delete (parent as Json)[last];
  }
}

function normalizeMeta(meta: Json | undefined): void {
  if (!meta) {
    return;
  }
  const labels = meta['labels'] as Record<string, string> | undefined;
  for (const label of HELM_LABELS) {
    delete labels?.[label];
  }
  const annotations = meta['annotations'] as Record<string, string> | undefined;
  if (annotations) {
    for (const name of Object.keys(annotations).filter((a) => HASH_ANNOTATIONS.test(a))) {
      delete annotations[name];
    }
    if (Object.keys(annotations).length === 0) {
      delete meta['annotations'];
    }
  }
}

function normalize(object: K8sObject): Json {
  const o = clone(object) as unknown as Json;
  normalizeMeta(o['metadata'] as Json);
  const spec = o['spec'] as Json | undefined;
  normalizeMeta((spec?.['template'] as Json | undefined)?.['metadata'] as Json | undefined);
  for (const claim of (spec?.['volumeClaimTemplates'] as Json[] | undefined) ?? []) {
    normalizeMeta(claim['metadata'] as Json);
  }
  for (const [path, fallback] of DEFAULTED[object.kind] ?? []) {
    dropDefault(o, path, fallback);
  }
  return o;
}

/** Secret names and keys that the objects read through secretKeyRef. */
function referencedSecretKeys(objects: readonly K8sObject[]): Map<string, Set<string>> {
  const refs = new Map<string, Set<string>>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node !== null && typeof node === 'object') {
      const ref = (node as Json)['secretKeyRef'] as { name: string; key: string } | undefined;
      if (ref) {
        refs.set(ref.name, (refs.get(ref.name) ?? new Set()).add(ref.key));
      }
      Object.values(node).forEach(visit);
    }
  };
  visit(objects);
  return refs;
}

interface Case {
  readonly props: NorthstarPlatformProps;
  /** NorthstarOperator in the release namespace, as the chart renders it with operator.enabled. */
  readonly operator?: NorthstarOperatorProps;
  readonly values: Values;
  /** Secrets the values name as existingSecret: read by the pods, not rendered by the chart. */
  readonly userSecrets: readonly string[];
}

const CASES: readonly (readonly [string, Case])[] = [
  // namespace.create renders the Namespace the cdk8s app makes; `helm install` leaves it off.
  ['kind', { props: kindProfile(), values: { files: ['values-kind.yaml'], set: ['namespace.create=true'] }, userSecrets: [] }],
  [
    'production',
    {
      props: productionProfile({ tag: '1.2.3' }),
      values: { files: ['ci/production-values.yaml'], set: ['namespace.create=true'] },
      userSecrets: [SECRET_REFS.database.name],
    },
  ],
  [
    'kind with the operator',
    {
      props: kindProfile(),
      operator: inReleaseNamespace(kindProfile()),
      values: { files: ['values-kind.yaml'], set: ['namespace.create=true', 'operator.enabled=true'] },
      userSecrets: [],
    },
  ],
  [
    'production with the operator',
    {
      props: productionProfile({ tag: '1.2.3' }),
      operator: inReleaseNamespace(productionProfile({ tag: '1.2.3' })),
      values: { files: ['ci/production-values.yaml', 'ci/operator-values.yaml'], set: ['namespace.create=true'] },
      userSecrets: [SECRET_REFS.database.name],
    },
  ],
];

/** The chart puts the operator beside the application, behind the application's default-deny policies. */
function inReleaseNamespace(platform: NorthstarPlatformProps): NorthstarOperatorProps {
  return { profile: platform.profile, image: platform.images, namespace: 'northstar', createNamespace: false, apiServerEgress: {} };
}

describe.each(CASES)('helm template and cdk8s synth, %s profile', (_profile, { props, operator, values, userSecrets }) => {
  const cdk8s = [...synth(props), ...(operator ? synthOperator(operator) : [])];
  const chart = render(values, ['--skip-tests']);
  const generatedSecrets = chart.filter((o) => o.kind === 'Secret');
  const compared = chart.filter((o) => o.kind !== 'Secret');

  it('make the same objects, by kind and name', () => {
    expect(compared.map(key).sort()).toEqual(cdk8s.map(key).sort());
  });

  it.each(cdk8s.map((o) => [key(o), o] as const))('%s has the same content', (name, expected) => {
    const actual = compared.find((o) => key(o) === name);
    expect(actual).toBeDefined();
    expect(normalize(actual!)).toEqual(normalize(expected));
  });

  it('generates only Secrets the cdk8s objects read, with every key they read', () => {
    const refs = referencedSecretKeys(cdk8s);
    const known: string[] = [SECRET_REFS.jwt.name, SECRET_REFS.webhook.name, SECRET_REFS.database.name];
    for (const secret of generatedSecrets) {
      expect(known).toContain(secret.metadata.name);
      const data = (secret as unknown as { data: Record<string, string> }).data;
      expect(Object.keys(data).sort()).toEqual(expect.arrayContaining([...(refs.get(secret.metadata.name) ?? [])].sort()));
    }
    // Each Secret the pods read is either generated here or named by an existingSecret value.
    for (const name of refs.keys()) {
      expect(generatedSecrets.some((s) => s.metadata.name === name) || userSecrets.includes(name)).toBe(true);
    }
  });
});
