import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/** The numeric `USER` of the service images (infra/docker/Dockerfile); `runAsNonRoot` needs a number to verify. */
export const SERVICE_UID = 10001;

/** Container security context meeting Pod Security `restricted` (see `patchPodTemplate` for the rest). */
export function restrictedContainerContext(uid: number): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: uid,
    group: uid,
    privileged: false,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
  };
}

export function restrictedPodContext(uid: number): kplus.PodSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: uid,
    group: uid,
    fsGroup: uid,
    fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
  };
}

/**
 * Fields cdk8s-plus-27 has no API for, patched into a workload's pod template: the
 * seccomp profile and `capabilities.drop: [ALL]` that `restricted` requires (its
 * Capability enum has no ALL), and topology spread constraints. It also drops the
 * hashed `cdk8s.io/metadata.addr` pod label, which nothing selects on here and which
 * the Helm chart could not reproduce.
 *
 * Patches run before the generated k8s 1.27 types serialize the object, so a field
 * those types lack (the kubelet's `sleep` preStop action, 1.29+) is silently dropped;
 * hence `sleep` as an exec preStop hook, and the images ship `/bin/sleep`.
 */
export function patchPodTemplate(workload: kplus.Workload, spreadLabels: Record<string, string>): void {
  const spec = '/spec/template/spec';
  const api = ApiObject.of(workload);
  api.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
  api.addJsonPatch(JsonPatch.add(`${spec}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }));
  api.addJsonPatch(JsonPatch.add(`${spec}/containers/0/securityContext/capabilities`, { drop: ['ALL'] }));
  api.addJsonPatch(
    JsonPatch.add(
      `${spec}/topologySpreadConstraints`,
      ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        // A single-node kind cluster and a one-zone production cluster must still schedule.
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: spreadLabels },
      })),
    ),
  );
}
