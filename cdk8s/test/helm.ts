import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Yaml } from 'cdk8s';
import type { K8sObject } from './manifests.js';
export { validateObject } from './k8s-schema.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHART_DIR = join(REPO_ROOT, 'charts/northstar');
export const RELEASE = 'northstar';
export const NAMESPACE = 'northstar';

/**
 * The helm binary: $HELM, or the pinned version in the cache infra/helm/install-helm.sh
 * builds into. Missing helm is a failure, never a skip: the chart would go unchecked.
 */
export function helmBinary(): string {
  const fromEnv = process.env['HELM'];
  if (fromEnv) {
    return fromEnv;
  }
  const versions = readFileSync(join(REPO_ROOT, 'infra/helm/versions.env'), 'utf8');
  const version = /^HELM_VERSION=(\S+)$/m.exec(versions)?.[1];
  if (!version) {
    throw new Error('infra/helm/versions.env names no HELM_VERSION');
  }
  const cache = process.env['NORTHSTAR_CACHE'] ?? join(homedir(), '.cache/northstar');
  const binary = join(cache, 'helm', version, 'helm');
  if (!existsSync(binary)) {
    throw new Error(
      `helm ${version} is not built (looked for ${binary}): run infra/helm/install-helm.sh, ` +
        'or `make test-helm`, which builds it first; or point $HELM at a helm binary',
    );
  }
  return binary;
}

export interface HelmResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function helm(args: readonly string[]): HelmResult {
  const result = spawnSync(helmBinary(), args, { encoding: 'utf8', cwd: REPO_ROOT, timeout: 60_000 });
  if (result.error) {
    throw result.error;
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Values for one render: files relative to the chart, then `--set` and `--set-string` pairs. */
export interface Values {
  readonly files?: readonly string[];
  readonly set?: readonly string[];
  readonly setString?: readonly string[];
}

export function templateArgs(values: Values, extra: readonly string[] = []): string[] {
  return [
    'template',
    RELEASE,
    CHART_DIR,
    '--namespace',
    NAMESPACE,
    ...(values.files ?? []).flatMap((f) => ['--values', join(CHART_DIR, f)]),
    ...(values.set ?? []).flatMap((s) => ['--set', s]),
    ...(values.setString ?? []).flatMap((s) => ['--set-string', s]),
    ...extra,
  ];
}

/** `helm template`, parsed. Throws with helm's message when the render fails. */
export function render(values: Values = {}, extra: readonly string[] = []): K8sObject[] {
  const result = helm(templateArgs(values, extra));
  if (result.status !== 0) {
    throw new Error(`helm template failed:\n${result.stderr}`);
  }
  return parseYaml(result.stdout);
}

export function parseYaml(text: string): K8sObject[] {
  // cdk8s's Yaml reads files only.
  const dir = mkdtempSync(join(tmpdir(), 'northstar-helm-'));
  try {
    const file = join(dir, 'out.yaml');
    writeFileSync(file, text);
    return (Yaml.load(file) as (K8sObject | null)[]).filter((o): o is K8sObject => o !== null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function key(object: K8sObject): string {
  return `${object.kind}/${object.metadata.name}`;
}
