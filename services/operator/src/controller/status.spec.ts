import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../render/platform-spec.js';
import { computeStatus, isRolledOut, transitions } from './status.js';

function deployment(replicas: number, ready: number, updated = ready, generation = 1, observed = generation): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x', generation },
    spec: { replicas, template: { spec: { containers: [{ image: 'northstar/x:1' }] } } },
    status: {
      observedGeneration: observed,
      replicas: Math.max(replicas, updated),
      readyReplicas: ready,
      updatedReplicas: updated,
      availableReplicas: ready,
      conditions: [{ type: 'Available', status: ready > 0 ? 'True' : 'False' }],
    },
  };
}

const now = new Date('2026-01-01T00:00:00Z');
const all = (d: KubeObject) => ({ roadmap: d, identity: d, gateway: d });

describe('isRolledOut', () => {
  it('needs the new generation observed, every pod updated and ready, and no old pods left', () => {
    expect(isRolledOut(deployment(2, 2))).toBe(true);
    expect(isRolledOut(deployment(2, 1))).toBe(false);
    expect(isRolledOut(deployment(2, 2, 2, 3, 2))).toBe(false);
    expect(isRolledOut(undefined)).toBe(false);
  });
});

describe('computeStatus', () => {
  it('reports Available and RolloutComplete when every component is rolled out', () => {
    const s = computeStatus({ generation: 4, workloads: all(deployment(1, 1)), gatePassed: true, previous: undefined, now, progressDeadlineSeconds: 60 });
    expect(s.observedGeneration).toBe(4);
    expect(s.ready).toBe('3/3');
    expect(s.rolloutStartedAt).toBeUndefined();
    expect(s.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      'Available=True/AllComponentsAvailable',
      'Progressing=False/RolloutComplete',
      'Degraded=False/AsExpected',
    ]);
  });

  it('says the gateway waits while the backends roll out, and turns Degraded after the deadline', () => {
    const workloads = { roadmap: deployment(1, 1), identity: deployment(1, 0, 0, 2, 2), gateway: deployment(1, 1) };
    const first = computeStatus({ generation: 2, workloads, gatePassed: false, previous: undefined, now, progressDeadlineSeconds: 60 });
    expect(first.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('RollingOutBackends');
    expect(first.conditions?.find((c) => c.type === 'Degraded')?.status).toBe('False');
    expect(first.rolloutStartedAt).toBe(now.toISOString());

    const later = computeStatus({ generation: 2, workloads, gatePassed: false, previous: first, now: new Date(now.getTime() + 61_000), progressDeadlineSeconds: 60 });
    const degraded = later.conditions?.find((c) => c.type === 'Degraded');
    expect(degraded).toEqual(expect.objectContaining({ status: 'True', reason: 'ProgressDeadlineExceeded' }));
    expect(degraded?.message).toContain('identity');
    expect(degraded?.message).toContain('gateway left on its previous version');
    expect(later.rolloutStartedAt).toBe(first.rolloutStartedAt);
    expect(transitions(first, later).map((c) => c.type)).toEqual(['Degraded']);
  });

  it('keeps lastTransitionTime while a condition holds', () => {
    const a = computeStatus({ generation: 1, workloads: all(deployment(1, 1)), gatePassed: true, previous: undefined, now, progressDeadlineSeconds: 60 });
    const b = computeStatus({ generation: 1, workloads: all(deployment(1, 1)), gatePassed: true, previous: a, now: new Date(now.getTime() + 5000), progressDeadlineSeconds: 60 });
    expect(b).toEqual(a);
  });

  it('reports a refused spec as Degraded with the construct’s message', () => {
    const s = computeStatus({
      generation: 3,
      workloads: all(deployment(1, 1)),
      gatePassed: false,
      previous: undefined,
      now,
      progressDeadlineSeconds: 60,
      failure: { reason: 'InvalidSpec', message: 'services.x is not a Northstar service' },
    });
    expect(s.conditions?.find((c) => c.type === 'Degraded')).toEqual(expect.objectContaining({ status: 'True', reason: 'InvalidSpec', message: 'services.x is not a Northstar service' }));
  });
});
