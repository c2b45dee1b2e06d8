// Prints "<deployment> <port> <path>" for every HTTP probe in a synthesized manifest, so the
// container test can confirm each one against the running image.
//   node manifest-probes.mjs <manifest.yaml>
import { Yaml } from 'cdk8s';

const [manifest] = process.argv.slice(2);
if (!manifest) {
  process.stderr.write('usage: manifest-probes.mjs <manifest.yaml>\n');
  process.exit(2);
}
const seen = new Set();
for (const d of Yaml.load(manifest).filter((o) => o.kind === 'Deployment')) {
  for (const c of d.spec.template.spec.containers) {
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
      const line = probe?.httpGet && `${d.metadata.name} ${probe.httpGet.port} ${probe.httpGet.path}`;
      if (line && !seen.has(line)) {
        seen.add(line);
        process.stdout.write(`${line}\n`);
      }
    }
  }
}
