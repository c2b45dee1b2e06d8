import { describe, expect, it } from '@jest/globals';
import { GATEWAY } from '@northstar/contracts';
import { kindOf } from '../kube/resources.js';
import type { Platform, PlatformSpec } from './platform-spec.js';
import { PLATFORM_LABEL, renderPlatform } from './render.js';
import { OPERATOR_PROFILE, toPlatformProps } from './spec-to-props.js';

const base: PlatformSpec = { image: { registry: 'ghcr.io/acme', tag: '1.2.3' } };

function platform(spec: PlatformSpec): Platform {
  return { apiVersion: 'northstar.dev/v1alpha1', kind: 'Platform', metadata: { name: 'prod', namespace: 'shop', uid: 'uid-1', generation: 1 }, spec };
}

describe('toPlatformProps', () => {
  it('maps the spec onto the construct: the Platform namespace, no Namespace object, one pod each by default', () => {
    const props = toPlatformProps(base, 'shop');
    expect(props).toEqual(
      expect.objectContaining({ profile: OPERATOR_PROFILE, namespace: 'shop', createNamespace: false, networkPolicies: true, database: { mode: 'in-cluster', image: undefined, storageGiB: undefined, storageClassName: undefined } }),
    );
    expect(props.services?.gateway).toEqual(expect.objectContaining({ replicas: 1, autoscaling: undefined, image: { registry: 'ghcr.io/acme', tag: '1.2.3', pullPolicy: 'IfNotPresent' } }));
  });

  it('gives a service its own tag, and autoscaling instead of a fixed count', () => {
    const props = toPlatformProps({ ...base, services: { roadmap: { tag: '1.2.4', autoscaling: { minReplicas: 2, maxReplicas: 5 } } } }, 'shop');
    expect(props.services?.roadmap).toEqual(
      expect.objectContaining({ replicas: undefined, autoscaling: { minReplicas: 2, maxReplicas: 5, targetCpuUtilization: undefined }, image: expect.objectContaining({ tag: '1.2.4' }) }),
    );
    expect(props.services?.identity?.image?.tag).toBe('1.2.3');
  });

  it('keeps an external database external', () => {
    const props = toPlatformProps({ ...base, database: { mode: 'external', secretRef: { name: 'db' }, port: 6432 } }, 'shop');
    expect(props.database).toEqual({ mode: 'external', port: 6432, cidr: undefined });
  });
});

describe('renderPlatform', () => {
  it('stamps every object with the owner reference, the platform label and the namespace', () => {
    const objects = renderPlatform(platform(base));
    expect(objects.length).toBeGreaterThan(10);
    for (const { object } of objects) {
      expect(object.metadata.namespace).toBe('shop');
      expect(object.metadata.labels?.[PLATFORM_LABEL]).toBe('prod');
      expect(object.metadata.ownerReferences).toEqual([
        { apiVersion: 'northstar.dev/v1alpha1', kind: 'Platform', name: 'prod', uid: 'uid-1', controller: true, blockOwnerDeletion: true },
      ]);
      expect(() => kindOf(object.apiVersion, object.kind)).not.toThrow();
    }
    expect(objects.some((o) => o.object.kind === 'Namespace')).toBe(false);
  });

  it('puts only the gateway Deployment in the second stage', () => {
    const objects = renderPlatform(platform(base));
    expect(objects.filter((o) => o.stage === 'gateway').map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual([`Deployment/${GATEWAY.name}`]);
    expect(objects.filter((o) => o.component).map((o) => o.component).sort()).toEqual(['gateway', 'identity', 'postgres', 'roadmap']);
  });

  it('points the services at the external database Secret the spec names', () => {
    const json = JSON.stringify(renderPlatform(platform({ ...base, database: { mode: 'external', secretRef: { name: 'managed-pg' } } })));
    expect(json).toContain('"name":"managed-pg"');
    expect(json).not.toContain('"name":"northstar-db"');
    expect(json).not.toContain('StatefulSet');
  });

  it('drops the NetworkPolicies when the spec turns them off', () => {
    const kinds = renderPlatform(platform({ ...base, networkPolicies: false })).map((o) => o.object.kind);
    expect(kinds).not.toContain('NetworkPolicy');
  });

  it('surfaces the construct’s own refusal, naming the field', () => {
    expect(() => renderPlatform(platform({ ...base, services: { gateway: { resources: { cpuRequestMillis: 900, cpuLimitMillis: 100 } } } }))).toThrow(
      /cpuLimitMillis \(100\) must be >= cpuRequestMillis \(900\)/,
    );
  });
});
