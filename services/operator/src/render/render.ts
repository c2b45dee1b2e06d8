import { App, Chart } from 'cdk8s';
import { MANAGED_BY_LABEL, NorthstarPlatform, SECRET_REFS } from '@northstar/cdk8s';
import { GATEWAY, type ServiceName } from '@northstar/contracts';
import { PLATFORM_API_VERSION, PLATFORM_KIND, type KubeObject, type Platform } from './platform-spec.js';
import { externalDatabaseSecret, toPlatformProps } from './spec-to-props.js';

export const FIELD_MANAGER = 'northstar-operator';
/** Every object the operator owns carries this label; its value is the Platform's name. */
export const PLATFORM_LABEL = 'northstar.dev/platform';

/** Rollout order: everything but the gateway first, then the gateway once its backends are Available. */
export type Stage = 'backends' | 'gateway';

export interface DesiredObject {
  readonly object: KubeObject;
  readonly stage: Stage;
  /** The service a Deployment runs, for the health gate and the status. */
  readonly component?: ServiceName | 'postgres';
}

/**
 * The objects a Platform asks for, synthesized by the same cdk8s constructs as the
 * manifests and the chart, then stamped with the Platform's owner reference and label.
 * Throws when the construct refuses the props; its message names the field.
 */
export function renderPlatform(platform: Platform): DesiredObject[] {
  const namespace = platform.metadata.namespace;
  const uid = platform.metadata.uid;
  if (!namespace || !uid) throw new Error('a Platform read from the API has a namespace and a uid');
  const app = new App();
  const chart = new Chart(app, 'platform');
  const construct = new NorthstarPlatform(chart, 'northstar', toPlatformProps(platform.spec, namespace));
  const deployments = new Map<string, ServiceName>(Object.values(construct.services).map((s) => [s.name, s.name as ServiceName]));
  const secret = externalDatabaseSecret(platform.spec);

  return (chart.toJson() as KubeObject[]).map((raw) => {
    const object = secret ? renameDatabaseSecret(raw, secret) : raw;
    const labels = { ...object.metadata.labels, [MANAGED_BY_LABEL]: FIELD_MANAGER, [PLATFORM_LABEL]: platform.metadata.name };
    const owned: KubeObject = {
      ...object,
      metadata: {
        ...object.metadata,
        namespace,
        labels,
        ownerReferences: [
          { apiVersion: PLATFORM_API_VERSION, kind: PLATFORM_KIND, name: platform.metadata.name, uid, controller: true, blockOwnerDeletion: true },
        ],
      },
    };
    const isWorkload = object.kind === 'Deployment' || object.kind === 'StatefulSet';
    const component = object.kind === 'Deployment' ? deployments.get(object.metadata.name) : object.kind === 'StatefulSet' ? 'postgres' : undefined;
    const stage: Stage = isWorkload && component === GATEWAY.name ? 'gateway' : 'backends';
    return component ? { object: owned, stage, component } : { object: owned, stage };
  });
}

// The construct always references `northstar-db`; an external database names its own Secret.
function renameDatabaseSecret(object: KubeObject, secretName: string): KubeObject {
  const json = JSON.stringify(object, (key, value: unknown) => {
    if (key === 'secretKeyRef' && isRecord(value) && value['name'] === SECRET_REFS.database.name) {
      return { ...value, name: secretName };
    }
    return value;
  });
  return JSON.parse(json) as KubeObject;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Namespace/name key of an object, the work queue's unit. */
export function objectKey(o: { metadata: { namespace?: string; name: string } }): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
