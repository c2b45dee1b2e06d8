import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig } from './kube-config.js';

const kubeconfig = (server: string, currentContext = 'local') => `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: ${server}
users:
- name: admin
  user:
    token: not-a-secret
contexts:
- name: local
  context:
    cluster: local
    user: admin
current-context: ${currentContext}
`;

let dir: string;
const nowhere = () => join(dir, 'no-such-token');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubeconfig-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadKubeConfig', () => {
  it('refuses to start with no kubeconfig anywhere and no service account, saying what to set', () => {
    expect(() => loadKubeConfig({ env: {}, home: join(dir, 'empty-home'), serviceAccountToken: nowhere() })).toThrow(
      /No Kubernetes API server configured: KUBECONFIG is unset, .*empty-home\/\.kube\/config does not exist and this is not a pod/,
    );
  });

  it('uses KUBECONFIG first, and names a file it lists that does not exist', async () => {
    const file = join(dir, 'a.yaml');
    await writeFile(file, kubeconfig('https://10.0.0.1:6443'));
    const { kubeConfig, source } = loadKubeConfig({ env: { KUBECONFIG: file }, home: dir, serviceAccountToken: nowhere() });
    expect([source, kubeConfig.getCurrentCluster()?.server]).toEqual(['KUBECONFIG', 'https://10.0.0.1:6443']);

    expect(() => loadKubeConfig({ env: { KUBECONFIG: join(dir, 'gone.yaml') }, home: dir, serviceAccountToken: nowhere() })).toThrow(
      /KUBECONFIG names ".*gone\.yaml", which does not exist/,
    );
  });

  it('falls back to ~/.kube/config, and refuses one whose current context names no cluster', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.kube'), { recursive: true });
    await writeFile(join(home, '.kube', 'config'), kubeconfig('https://127.0.0.1:16443'));
    expect(loadKubeConfig({ env: {}, home, serviceAccountToken: nowhere() }).kubeConfig.getCurrentCluster()?.server).toBe('https://127.0.0.1:16443');

    await writeFile(join(home, '.kube', 'config'), kubeconfig('https://127.0.0.1:16443', 'elsewhere'));
    expect(() => loadKubeConfig({ env: {}, home, serviceAccountToken: nowhere() })).toThrow(/has no current context with a cluster \(current-context: "elsewhere"\)/);
  });

  it('reports a kubeconfig that is not YAML with its path', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, '{ this is: [not yaml');
    expect(() => loadKubeConfig({ env: { KUBECONFIG: file }, home: dir, serviceAccountToken: nowhere() })).toThrow(/broken\.yaml is not a usable kubeconfig/);
  });
});
