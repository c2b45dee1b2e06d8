import { describe, expect, it } from '@jest/globals';
import { SERVICE_UID } from '../src/security.js';
import { type Container, PROFILES, synth, workloads } from './manifests.js';

// Pod Security Standards, "restricted" profile, as of Kubernetes 1.30.
const ALLOWED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

describe.each(PROFILES)('every pod of the %s profile', (_profile, props) => {
  const pods = workloads(synth(props)).map((w) => ({ name: w.metadata.name, spec: w.spec.template.spec }));

  it.each(pods.map((p) => [p.name, p] as const))('%s meets Pod Security restricted', (_name, { spec }) => {
    expect(spec.hostNetwork ?? false).toBe(false);
    expect(spec.hostPID ?? false).toBe(false);
    expect(spec.hostIPC ?? false).toBe(false);
    for (const volume of spec.volumes ?? []) {
      const types = Object.keys(volume).filter((k) => k !== 'name');
      expect(ALLOWED_VOLUME_TYPES).toEqual(expect.arrayContaining(types));
    }
    const containers: Container[] = [...spec.containers, ...(spec.initContainers ?? [])];
    for (const c of containers) {
      const sc = c.securityContext ?? {};
      expect(sc.privileged ?? false).toBe(false);
      expect(sc.allowPrivilegeEscalation).toBe(false);
      expect(sc.capabilities?.drop).toContain('ALL');
      expect((sc.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE')).toEqual([]);
      expect(sc.runAsNonRoot ?? spec.securityContext?.runAsNonRoot).toBe(true);
      expect(sc.runAsUser ?? spec.securityContext?.runAsUser).not.toBe(0);
      expect(['RuntimeDefault', 'Localhost']).toContain(sc.seccompProfile?.type ?? spec.securityContext?.seccompProfile?.type);
      expect(sc.procMount ?? 'Default').toBe('Default');
      expect((c.ports ?? []).filter((p) => p.hostPort !== undefined)).toEqual([]);
      // Beyond restricted: an immutable root filesystem with a writable /tmp, requests and limits.
      expect(sc.readOnlyRootFilesystem).toBe(true);
      const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
      expect(spec.volumes?.find((v) => v.name === tmp?.name)).toHaveProperty('emptyDir');
      expect(Object.keys(c.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(c.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
    }
    expect(spec.securityContext?.sysctls ?? []).toEqual([]);
  });

  it('of a Node service runs as the images’ numeric user', () => {
    for (const pod of pods.filter((p) => p.name !== 'postgres')) {
      expect(pod.spec.securityContext?.runAsUser).toBe(SERVICE_UID);
      expect(pod.spec.containers[0]?.securityContext?.runAsUser).toBe(SERVICE_UID);
    }
  });
});
