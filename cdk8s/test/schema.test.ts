import { describe, expect, it } from '@jest/globals';
import * as models from 'kubernetes-models';
import { type K8sObject, PROFILES, synth } from './manifests.js';

interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: object): { validate(): void };
}

function isModelClass(value: unknown): value is ModelClass {
  return typeof value === 'function' && 'apiVersion' in value && 'kind' in value && 'validate' in value.prototype;
}

/** Every kind kubernetes-models ships, keyed by `apiVersion/kind`; its namespaces nest group → version → kind. */
function registry(): Map<string, ModelClass> {
  const found = new Map<string, ModelClass>();
  const walk = (ns: object, depth: number): void => {
    for (const value of Object.values(ns)) {
      if (isModelClass(value)) {
        found.set(`${value.apiVersion}/${value.kind}`, value);
      } else if (value !== null && typeof value === 'object' && depth < 3) {
        walk(value as object, depth + 1);
      }
    }
  };
  walk(models, 0);
  return found;
}

const MODELS = registry();

function validate(object: K8sObject): void {
  const Model = MODELS.get(`${object.apiVersion}/${object.kind}`);
  if (!Model) {
    throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  }
  new Model(object).validate();
}

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
