import * as models from 'kubernetes-models';
import type { K8sObject } from './manifests.js';

/** Offline validation of Kubernetes objects against the OpenAPI schemas kubernetes-models ships. */
interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: object): { validate(): void };
}

function isModelClass(value: unknown): value is ModelClass {
  return typeof value === 'function' && 'apiVersion' in value && 'kind' in value && 'validate' in value.prototype;
}

/** Every kind kubernetes-models ships, keyed by `apiVersion/kind` (as cdk8s/test/schema.test.ts walks it). */
export const MODELS: ReadonlyMap<string, ModelClass> = (() => {
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
})();

/** Offline OpenAPI validation of one object; throws naming the object and the bad field. */
export function validateObject(object: K8sObject): void {
  const Model = MODELS.get(`${object.apiVersion}/${object.kind}`);
  if (!Model) {
    throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  }
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind}/${object.metadata.name}: ${String(error)}`, { cause: error });
  }
}

/** Every object's validation error, one string each; empty when all are valid. */
export function schemaProblems(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    try {
      validateObject(object);
    } catch (error) {
      problems.push(String(error));
    }
  }
  return problems;
}
