import { describe, expect, it } from '@jest/globals';
import { Chart, Testing } from 'cdk8s';
import { NetworkPolicies } from '../src/network-policies.js';
import { NorthstarPlatform, type NorthstarPlatformProps } from '../src/platform.js';
import { kindProfile, productionProfile } from '../src/profiles.js';
import { ofKind, synth } from './manifests.js';

function build(props: NorthstarPlatformProps): void {
  new NorthstarPlatform(new Chart(Testing.app(), 'test'), 'northstar', props);
}

describe('NorthstarPlatform props', () => {
  it.each<[string, NorthstarPlatformProps, RegExp]>([
    ['a latest tag', { ...kindProfile(), images: { registry: 'northstar', tag: 'latest' } }, /images\.tag must not be 'latest'/],
    ['an empty tag', { ...kindProfile(), images: { registry: 'northstar', tag: '' } }, /images\.tag must be a valid image tag/],
    [
      'a per-service latest tag',
      { ...kindProfile(), services: { roadmap: { image: { registry: 'r', tag: 'latest' } } } },
      /services\.roadmap\.image\.tag/,
    ],
    [
      'replicas next to autoscaling',
      { ...kindProfile(), services: { gateway: { replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 3 } } } },
      /gateway: replicas and autoscaling are mutually exclusive/,
    ],
    [
      'maxReplicas below minReplicas',
      { ...kindProfile(), services: { identity: { autoscaling: { minReplicas: 3, maxReplicas: 2 } } } },
      /identity\.autoscaling\.maxReplicas \(2\) must be an integer >= minReplicas \(3\)/,
    ],
    [
      'a limit below its request',
      { ...kindProfile(), defaults: { resources: { memoryRequestMiB: 512, memoryLimitMiB: 256 } } },
      /gateway\.resources\.memoryLimitMiB \(256\) must be >= memoryRequestMiB \(512\)/,
    ],
    [
      'a grace period shorter than preStop + delay + drain',
      { ...kindProfile(), shutdown: { terminationGracePeriodSeconds: 15 } },
      /shutdown\.terminationGracePeriodSeconds \(15\) must exceed/,
    ],
    ['an unknown service', { ...kindProfile(), services: { billing: {} } as never }, /services\.billing is not a Northstar service/],
    [
      'a postgres image without a tag',
      { ...kindProfile(), database: { mode: 'in-cluster', image: 'postgres' } },
      /postgres\.image must carry an explicit tag/,
    ],
  ])('refuse %s, naming the field', (_case, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  it('merge per-service settings over the defaults, scaling settings as a unit', () => {
    // GIVEN production defaults (autoscaling) and a fixed count for roadmap alone
    const objects = synth({ ...productionProfile({ tag: '2.0.0' }), services: { roadmap: { replicas: 3 } } });
    // THEN roadmap runs three pods without an HPA, the others keep theirs
    const hpas = ofKind<{ spec: { scaleTargetRef: { name: string } } }>(objects, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(['gateway', 'identity']);
    const roadmap = ofKind<{ metadata: { name: string }; spec: { replicas: number } }>(objects, 'Deployment').find(
      (d) => d.metadata.name === 'roadmap',
    );
    expect(roadmap?.spec.replicas).toBe(3);
  });

  it('leave the Namespace to the caller when asked, as the operator does', () => {
    const objects = synth({ ...kindProfile(), namespace: 'team-a', createNamespace: false });
    expect(ofKind(objects, 'Namespace')).toEqual([]);
    expect(objects.every((o) => o.metadata.namespace === 'team-a')).toBe(true);
  });
});

describe('NetworkPolicies props', () => {
  it('refuse a flow to an unknown pod group, naming the field', () => {
    const chart = new Chart(Testing.app(), 'test');
    expect(
      () =>
        new NetworkPolicies(chart, 'np', {
          namespace: 'n',
          groups: [{ name: 'a', labels: { app: 'a' } }],
          flows: [{ from: 'a', to: 'b', port: 80 }],
        }),
    ).toThrow(/flows\[0\]\.to names an unknown pod group 'b'/);
  });
});
