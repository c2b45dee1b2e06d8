import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { GATEWAY, HEALTH_PATHS, POSTGRES, SERVICES, TCP_SERVICES } from '@northstar/contracts';
import { parseSigningKeyPems } from '../../services/identity/src/keys/signing-keys.js';
import { Yaml } from 'cdk8s';
import { type Values, CHART_DIR, NAMESPACE, REPO_ROOT, helm, key, render, templateArgs } from './helm.js';
import { schemaProblems } from './k8s-schema.js';
import { type Container, type K8sObject, type Workload, named, ofKind, workloads } from './manifests.js';

interface Secret extends K8sObject {
  readonly data: Record<string, string>;
}
interface Service extends K8sObject {
  readonly spec: { readonly clusterIP?: string; readonly ports: { readonly name: string; readonly port: number }[] };
}
interface NetworkPolicy extends K8sObject {
  readonly spec: { readonly egress?: { readonly to?: { readonly ipBlock?: { readonly cidr: string } }[]; readonly ports: { readonly port: number }[] }[] };
}
interface Ingress extends K8sObject {
  readonly spec: {
    readonly ingressClassName?: string;
    readonly rules: { readonly host: string; readonly http: { readonly paths: { readonly backend: { readonly service: { readonly name: string; readonly port: { readonly number: number } } } }[] } }[];
  };
}
interface Pod extends K8sObject {
  readonly spec: { readonly containers: (Container & { readonly command?: string[] })[] };
}

const CLUSTER_SCOPED = ['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'];

const decode = (value: string): string => Buffer.from(value, 'base64').toString('utf8');

/** The helm test Pod's checks, as written in the template. */
function testScript(objects: readonly K8sObject[]): string {
  const pod = ofKind<Pod>(objects, 'Pod')[0];
  const command = pod?.spec.containers[0]?.command;
  expect(command?.slice(0, 2)).toEqual(['node', '-e']);
  return command![2]!;
}

/** Every Secret and ConfigMap a pod reads: rendered here, or named by the values (`userSecrets`). */
function expectReferencesResolve(objects: readonly K8sObject[], userSecrets: readonly string[]): void {
  const rendered = new Set(objects.map(key));
  for (const w of workloads(objects)) {
    const spec = w.spec.template.spec;
    for (const c of spec.containers) {
      for (const ref of c.envFrom ?? []) {
        expect(rendered).toContain(`ConfigMap/${ref.configMapRef!.name}`);
      }
      for (const env of c.env ?? []) {
        const secret = env.valueFrom?.secretKeyRef?.name;
        if (secret !== undefined && !userSecrets.includes(secret)) {
          expect(rendered).toContain(`Secret/${secret}`);
        }
      }
    }
    for (const volume of spec.volumes ?? []) {
      const configMap = (volume as { configMap?: { name: string } }).configMap;
      if (configMap) {
        expect(rendered).toContain(`ConfigMap/${configMap.name}`);
      }
    }
  }
}

interface MatrixCase {
  readonly values: Values;
  readonly userSecrets?: readonly string[];
  readonly check?: (objects: readonly K8sObject[]) => void;
}

const MATRIX: readonly (readonly [string, MatrixCase])[] = [
  [
    'default values',
    {
      values: {},
      check: (objects) => {
        expect(ofKind(objects, 'Namespace')).toHaveLength(0);
        expect(ofKind(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
        // Two pods each, so each gets a budget.
        expect(ofKind(objects, 'PodDisruptionBudget').map((o) => o.metadata.name).sort()).toEqual(['gateway', 'identity', 'roadmap']);
        expect(ofKind(objects, 'Secret').map((o) => o.metadata.name).sort()).toEqual(['northstar-db', 'northstar-jwt', 'northstar-webhook']);
        expect(named(ofKind<Workload>(objects, 'Deployment'), 'gateway').spec.template.spec.containers[0]!.image).toBe('ghcr.io/northstar/gateway:0.1.0');
      },
    },
  ],
  [
    'kind values',
    {
      values: { files: ['values-kind.yaml'] },
      check: (objects) => {
        expect(ofKind(objects, 'PodDisruptionBudget')).toHaveLength(0);
        for (const d of ofKind<Workload>(objects, 'Deployment')) {
          expect(d.spec.replicas).toBe(1);
          expect(d.spec.template.spec.containers[0]!.image).toBe(`northstar/${d.metadata.name}:dev`);
        }
      },
    },
  ],
  [
    'autoscaling on',
    {
      values: { files: ['ci/autoscaling-values.yaml'] },
      check: (objects) => {
        expect(ofKind(objects, 'HorizontalPodAutoscaler').map((o) => o.metadata.name).sort()).toEqual(['gateway', 'identity', 'roadmap']);
        expect(ofKind(objects, 'PodDisruptionBudget')).toHaveLength(3);
        // The HPA owns the count; a replicas field would fight it on every upgrade.
        for (const d of ofKind<Workload>(objects, 'Deployment')) {
          expect(d.spec.replicas).toBeUndefined();
        }
      },
    },
  ],
  [
    'network policies off',
    {
      values: { files: ['ci/no-network-policy-values.yaml'] },
      check: (objects) => expect(ofKind(objects, 'NetworkPolicy')).toHaveLength(0),
    },
  ],
  [
    'external database',
    {
      values: { files: ['ci/external-database-values.yaml'] },
      userSecrets: ['managed-postgres'],
      check: (objects) => {
        expect(objects.filter((o) => o.metadata.name.startsWith('postgres')).map(key)).toEqual([]);
        expect(ofKind(objects, 'Secret').map((o) => o.metadata.name).sort()).toEqual(['northstar-jwt', 'northstar-webhook']);
        const egress = named(ofKind<NetworkPolicy>(objects, 'NetworkPolicy'), 'allow-roadmap').spec.egress;
        expect(egress).toEqual([{ ports: [{ port: 6432, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '10.20.0.0/16' } }] }]);
        const env = named(ofKind<Workload>(objects, 'Deployment'), 'identity').spec.template.spec.containers[0]!.env;
        expect(env?.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'managed-postgres', key: 'IDENTITY_DATABASE_URL' });
      },
    },
  ],
  [
    'existing secrets',
    {
      values: { files: ['ci/existing-secrets-values.yaml'] },
      userSecrets: ['signing-keys', 'billing-webhook', 'postgres-credentials'],
      check: (objects) => {
        expect(ofKind(objects, 'Secret')).toHaveLength(0);
        const refs = workloads(objects).flatMap((w) =>
          w.spec.template.spec.containers.flatMap((c) => (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`] : []))),
        );
        expect([...new Set(refs)].sort()).toEqual([
          'billing-webhook/WEBHOOK_SECRET',
          'postgres-credentials/IDENTITY_DATABASE_URL',
          'postgres-credentials/POSTGRES_PASSWORD',
          'postgres-credentials/ROADMAP_DATABASE_URL',
          'signing-keys/JWT_SIGNING_KEYS',
        ]);
      },
    },
  ],
  [
    'ingress',
    {
      values: { files: ['ci/ingress-values.yaml'] },
      check: (objects) => {
        const [ingress] = ofKind<Ingress>(objects, 'Ingress');
        expect(ingress?.spec.ingressClassName).toBe('nginx');
        expect(ingress?.spec.rules[0]?.http.paths[0]?.backend.service).toEqual({ name: GATEWAY.name, port: { number: GATEWAY.port } });
      },
    },
  ],
  ['production values', { values: { files: ['ci/production-values.yaml'] }, userSecrets: ['northstar-db'] }],
  [
    'operator on',
    {
      values: { files: ['ci/operator-values.yaml'] },
      check: (objects) => {
        const operator = objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'operator').map(key);
        expect(operator.sort()).toEqual(
          [
            'ClusterRole/northstar-operator',
            'ClusterRoleBinding/northstar-operator',
            'CustomResourceDefinition/platforms.northstar.dev',
            'Deployment/northstar-operator',
            'NetworkPolicy/allow-northstar-operator',
            'PodDisruptionBudget/northstar-operator',
            'Role/northstar-operator-leader-election',
            'RoleBinding/northstar-operator-leader-election',
            'ServiceAccount/northstar-operator',
          ].sort(),
        );
        const [crd] = ofKind(objects, 'CustomResourceDefinition');
        expect(crd?.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
        const d = named(ofKind<Workload>(objects, 'Deployment'), 'northstar-operator');
        expect(d.spec.template.spec.containers[0]!.image).toBe('ghcr.io/northstar/operator:0.1.0');
      },
    },
  ],
  [
    'operator on, its CRD managed elsewhere, no network policies',
    {
      values: { files: ['ci/no-network-policy-values.yaml'], set: ['operator.enabled=true', 'operator.crd.install=false', 'operator.replicas=1'] },
      check: (objects) => {
        expect(ofKind(objects, 'CustomResourceDefinition')).toEqual([]);
        expect(ofKind(objects, 'NetworkPolicy')).toEqual([]);
        expect(objects.filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'northstar-operator')).toEqual([]);
        expect(named(ofKind<Workload>(objects, 'Deployment'), 'northstar-operator').spec.replicas).toBe(1);
      },
    },
  ],
  [
    'namespace.create',
    {
      values: { set: ['namespace.create=true', 'namespace.podSecurity=baseline'] },
      check: (objects) => {
        const [ns] = ofKind(objects, 'Namespace');
        expect(ns?.metadata.name).toBe(NAMESPACE);
        expect(ns?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('baseline');
      },
    },
  ],
];

describe('helm lint --strict', () => {
  it.each([[[]], [['values-kind.yaml']], [['ci/production-values.yaml']], [['ci/external-database-values.yaml']], [['ci/operator-values.yaml']]])('passes with values %j', (files) => {
    const result = helm(['lint', '--strict', 'charts/northstar', ...files.flatMap((f) => ['--values', `charts/northstar/${f}`])]);
    expect(result.stderr + result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(result.status).toBe(0);
  });
});

describe.each(MATRIX)('helm template with %s', (_name, { values, userSecrets = [], check }) => {
  const objects = render(values);

  it('renders only valid objects (kubernetes-models, offline)', () => {
    expect(objects.length).toBeGreaterThan(10);
    expect(schemaProblems(objects)).toEqual([]);
  });

  it('puts every object in the release namespace, under a unique name', () => {
    for (const o of objects.filter((x) => !CLUSTER_SCOPED.includes(x.kind))) {
      expect(`${key(o)} in ${o.metadata.namespace}`).toBe(`${key(o)} in ${NAMESPACE}`);
    }
    expect(new Set(objects.map(key)).size).toBe(objects.length);
  });

  it('has every ConfigMap and Secret a pod reads', () => {
    expectReferencesResolve(objects, userSecrets);
  });

  if (check) {
    it('renders what these values ask for', () => check(objects));
  }
});

describe('bad values fail with a message naming the value', () => {
  const fails = (values: Values): string => {
    const result = helm(templateArgs(values));
    expect(result.status).not.toBe(0);
    return result.stderr;
  };

  it('a negative replica count', () => {
    expect(fails({ set: ['gateway.replicas=-1'] })).toContain("at '/gateway/replicas': minimum: got -1, want 1");
    expect(fails({ set: ['operator.enabled=true', 'operator.replicas=0'] })).toContain("at '/operator/replicas': minimum: got 0, want 1");
  });

  it('an unknown key (a typo)', () => {
    expect(fails({ set: ['roadmap.replica=3'] })).toContain("at '/roadmap': additional properties 'replica' not allowed");
  });

  it('a wrong type', () => {
    expect(fails({ setString: ['identity.replicas=three'] })).toContain("at '/identity/replicas': got string, want integer");
    expect(fails({ set: ['networkPolicy.enabled=maybe'] })).toContain("at '/networkPolicy/enabled': got string, want boolean");
  });

  it('an out-of-range or malformed value', () => {
    expect(fails({ set: ['gateway.autoscaling.targetCPUUtilizationPercentage=150'] })).toContain("'/gateway/autoscaling/targetCPUUtilizationPercentage': maximum: got 150, want 100");
    expect(fails({ set: ['roadmap.resources.requests.memory=lots'] })).toContain("at '/roadmap/resources/requests/memory'");
    expect(fails({ set: ['image.pullPolicy=Sometimes'] })).toContain("at '/image/pullPolicy'");
  });

  it('values that contradict each other', () => {
    expect(fails({ set: ['postgresql.enabled=false'] })).toContain('database.existingSecret is required when postgresql.enabled is false');
    expect(fails({ set: ['shutdown.terminationGracePeriodSeconds=15'] })).toContain('shutdown.terminationGracePeriodSeconds (15) must exceed');
    expect(fails({ set: ['gateway.autoscaling.enabled=true', 'gateway.autoscaling.maxReplicas=2'] })).toContain(
      'gateway.autoscaling.maxReplicas (2) must be >= gateway.autoscaling.minReplicas (3)',
    );
    expect(fails({ set: ['image.tag=latest'] })).toContain("gateway.image.tag resolves to 'latest'");
  });
});

describe('the chart against the contracts topology', () => {
  const objects = render({}, ['--skip-tests']);
  const services = ofKind<Service>(objects, 'Service');

  it.each(SERVICES.map((s) => [s.name, s] as const))('%s: Service DNS name, port and probes', (_name, svc) => {
    expect(named(services, svc.name).spec.ports.map((p) => p.port)).toEqual([svc.port]);
    const container = named(ofKind<Workload>(objects, 'Deployment'), svc.name).spec.template.spec.containers[0]!;
    expect(container.startupProbe?.httpGet).toMatchObject({ path: HEALTH_PATHS.live, port: svc.healthPort });
    expect(container.readinessProbe?.httpGet).toMatchObject({ path: HEALTH_PATHS.ready, port: svc.healthPort });
    expect(container.livenessProbe?.httpGet).toMatchObject({ path: HEALTH_PATHS.live, port: svc.healthPort });
  });

  it.each(TCP_SERVICES.map((s) => [s.name, s] as const))('%s: headless, so the gateway sees every pod; the gateway is told where', (_name, svc) => {
    expect(named(services, svc.name).spec.clusterIP).toBe('None');
    const config = named(ofKind<K8sObject & { data: Record<string, string> }>(objects, 'ConfigMap'), `${GATEWAY.name}-config`).data;
    expect([config[svc.clientEnv.host], config[svc.clientEnv.port]]).toEqual([svc.name, String(svc.port)]);
  });
});

describe('generated secrets', () => {
  const secrets = ofKind<Secret>(render({}), 'Secret');

  it('a JWT signing key identity accepts: one SEC1 EC P-256 PEM', () => {
    const pem = decode(named(secrets, 'northstar-jwt').data['JWT_SIGNING_KEYS']!);
    expect(pem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(parseSigningKeyPems(pem)).toHaveLength(1);
  });

  it('database URLs pointing at the in-chart PostgreSQL with the generated password', () => {
    const data = named(secrets, 'northstar-db').data;
    const password = decode(data['POSTGRES_PASSWORD']!);
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    for (const svc of TCP_SERVICES) {
      const url = new URL(decode(data[`${svc.name.toUpperCase()}_DATABASE_URL`]!));
      expect([url.protocol, url.username, url.password, url.hostname, url.port, url.pathname]).toEqual(['postgres:', 'postgres', password, POSTGRES.name, String(POSTGRES.port), `/${svc.database}`]);
    }
  });

  it('a webhook secret of 48 random characters, different on every fresh install', () => {
    const again = ofKind<Secret>(render({}), 'Secret');
    const first = decode(named(secrets, 'northstar-webhook').data['WEBHOOK_SECRET']!);
    expect(first).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(decode(named(again, 'northstar-webhook').data['WEBHOOK_SECRET']!)).not.toBe(first);
  });

  it('are kept on uninstall', () => {
    for (const s of secrets) {
      expect(s.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    }
  });
});

describe('checksum annotations', () => {
  const checksums = (values: Values): Record<string, Record<string, string>> =>
    Object.fromEntries(
      ofKind<Workload>(render({ files: ['values-kind.yaml'], ...values }, ['--skip-tests']), 'Deployment').map((d) => {
        const annotations = d.spec.template.metadata.annotations ?? {};
        return [d.metadata.name, Object.fromEntries(Object.entries(annotations).filter(([k]) => k.startsWith('checksum/')))];
      }),
    );

  it('change with a service config, and only for that service', () => {
    const before = checksums({});
    const after = checksums({ set: ['roadmap.logLevel=trace'] });
    expect(after['roadmap']?.['checksum/config']).not.toBe(before['roadmap']?.['checksum/config']);
    expect(after['gateway']?.['checksum/config']).toBe(before['gateway']?.['checksum/config']);
    expect(after['identity']?.['checksum/config']).toBe(before['identity']?.['checksum/config']);
  });

  it('follow the Secrets a service reads', () => {
    // With every secret supplied by the user, nothing the chart renders changes between renders.
    const values: Values = { files: ['values-kind.yaml', 'ci/existing-secrets-values.yaml'] };
    expect(checksums(values)).toEqual(checksums(values));
    // Generated secrets differ on each fresh render, and so do the checksums of the pods reading them.
    const a = checksums({});
    const b = checksums({});
    for (const name of ['gateway', 'roadmap', 'identity']) {
      expect(a[name]?.['checksum/secret']).not.toBe(b[name]?.['checksum/secret']);
      expect(a[name]?.['checksum/config']).toBe(b[name]?.['checksum/config']);
    }
  });
});

describe('the helm test Pod', () => {
  const objects = render({ files: ['values-kind.yaml'] });

  it('runs on the gateway image, as a restricted pod, with a NetworkPolicy letting it reach the gateway', () => {
    const [pod] = ofKind<Pod>(objects, 'Pod');
    expect(pod?.metadata.annotations?.['helm.sh/hook']).toBe('test');
    expect(pod?.spec.containers[0]?.image).toBe('northstar/gateway:dev');
    expect(pod?.spec.containers[0]?.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const policy = ofKind<NetworkPolicy & { metadata: { annotations?: Record<string, string> } }>(objects, 'NetworkPolicy').find((p) => p.metadata.annotations?.['helm.sh/hook'] === 'test');
    expect(policy?.spec.egress?.[0]?.ports).toEqual([{ port: GATEWAY.port, protocol: 'TCP' }]);
  });

  /** A stand-in gateway: ready, register, me. `meEmail` lets a test make /auth/me lie. */
  async function withFakeGateway<T>(meEmail: ((registered: string) => string) | undefined, run: (url: string) => Promise<T>): Promise<T> {
    let registered = '';
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.url === HEALTH_PATHS.ready) return json(200, { status: 'ok' });
        if (req.method === 'POST' && req.url === '/auth/register') {
          registered = (JSON.parse(body) as { email: string }).email;
          return json(201, { accessToken: 'token-1', refreshToken: 'r', user: { email: registered } });
        }
        if (req.url === '/auth/me' && req.headers.authorization === 'Bearer token-1') {
          return json(200, { email: meEmail ? meEmail(registered) : registered, role: 'owner', organizationId: 'org-1' });
        }
        return json(401, { statusCode: 401 });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      return await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      server.close();
    }
  }

  function runScript(url: string): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['-e', testScript(objects)], { env: { ...process.env, NODE_OPTIONS: '', GATEWAY_URL: url } });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  it('passes against a gateway that registers and answers /auth/me', async () => {
    const { code, output } = await withFakeGateway(undefined, runScript);
    expect(output).toContain('round trip ok');
    expect(code).toBe(0);
  });

  it('fails, saying why, when /auth/me answers for someone else', async () => {
    const { code, output } = await withFakeGateway(() => 'mallory@example.com', runScript);
    expect(output).toMatch(/helm test failed: GET \/auth\/me answered .*mallory/);
    expect(code).toBe(1);
  });
});

describe('the Platform CRD', () => {
  it('is the one in services/operator/deploy, copied (a chart cannot read outside its directory)', () => {
    const copy = readFileSync(join(CHART_DIR, 'files/platform-crd.yaml'), 'utf8');
    const source = readFileSync(join(REPO_ROOT, 'services/operator/deploy/crd.yaml'), 'utf8');
    expect(copy === source ? 'equal' : 'cp services/operator/deploy/crd.yaml charts/northstar/files/platform-crd.yaml').toBe('equal');
  });
});

describe('values documentation', () => {
  const text = readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8');

  it('has a comment on every value (or on the block it belongs to)', () => {
    const undocumented: string[] = [];
    const stack: { indent: number; name: string; whole: boolean }[] = [];
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      const m = /^( *)([A-Za-z0-9_-]+):(.*)$/.exec(line);
      if (!m) return;
      const indent = m[1]!.length;
      while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
      const previous = lines[i - 1]?.trim() ?? '';
      const commented = previous.startsWith('#');
      const rest = m[3]!.trim();
      if (rest !== '' && !commented && !stack.some((s) => s.whole)) {
        undocumented.push([...stack.map((s) => s.name), m[2]].join('.'));
      }
      stack.push({ indent, name: m[2]!, whole: previous.startsWith('# --') });
    });
    expect(undocumented).toEqual([]);
  });

  it('README names only values that exist', () => {
    const values = (Yaml.load(join(CHART_DIR, 'values.yaml')) as Record<string, unknown>[])[0]!;
    const readme = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');
    const paths = [...readme.matchAll(/^\| `([a-zA-Z0-9.]+)` \|/gm)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(10);
    const missing = paths.filter((path) => {
      let node: unknown = values;
      for (const part of path.split('.')) {
        if (node === null || typeof node !== 'object' || !(part in node)) return true;
        node = (node as Record<string, unknown>)[part];
      }
      return false;
    });
    expect(missing).toEqual([]);
  });
});
