import { describe, expect, it } from '@jest/globals';
import { type K8sObject, PROFILES, synth } from './manifests.js';
import { MODELS, validateObject as validate } from './k8s-schema.js';

describe('offline schema validation (kubernetes-models)', () => {
  it('knows the kinds the platform synthesizes', () => {
    for (const key of ['apps/v1/Deployment', 'apps/v1/StatefulSet', 'autoscaling/v2/HorizontalPodAutoscaler', 'policy/v1/PodDisruptionBudget', 'networking.k8s.io/v1/NetworkPolicy', 'v1/Namespace']) {
      expect(MODELS.has(key)).toBe(true);
    }
  });

  it('rejects a malformed object, so a pass means something', () => {
    // GIVEN a Deployment whose replica count is a string
    const broken = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two' } };
    // THEN validation fails
    expect(() => validate(broken as unknown as K8sObject)).toThrow(/replicas/);
  });

  describe.each(PROFILES)('the %s profile', (_profile, props) => {
    const objects = synth(props);
    it.each(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))('%s is valid', (_name, object) => {
      expect(() => validate(object)).not.toThrow();
    });
  });
});
