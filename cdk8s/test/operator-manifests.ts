import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Chart, Testing, Yaml } from 'cdk8s';
import { NorthstarOperator, type NorthstarOperatorProps } from '../src/operator.js';
import type { K8sObject } from './manifests.js';

export const OPERATOR_DEPLOY_DIR = fileURLToPath(new URL('../../services/operator/deploy/', import.meta.url));

export function synthOperator(props: NorthstarOperatorProps): K8sObject[] {
  const chart = new Chart(Testing.app(), 'test');
  new NorthstarOperator(chart, 'operator', props);
  return Testing.synth(chart) as K8sObject[];
}

/** The objects of one file in services/operator/deploy/. */
export function deployManifest(file: string): K8sObject[] {
  return (Yaml.load(join(OPERATOR_DEPLOY_DIR, file)) as (K8sObject | null)[]).filter((o): o is K8sObject => o !== null);
}
