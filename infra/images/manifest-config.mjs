// Reads a ConfigMap out of a synthesized manifest, so the container test runs each image
// with exactly what the cluster gives it.
//   node manifest-config.mjs <manifest.yaml> <configmap>          KEY=VALUE lines (an env file)
//   node manifest-config.mjs <manifest.yaml> <configmap> <dir>    one file per key in <dir>
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Yaml } from 'cdk8s';

const [manifest, name, dir] = process.argv.slice(2);
if (!manifest || !name) {
  process.stderr.write('usage: manifest-config.mjs <manifest.yaml> <configmap> [dir]\n');
  process.exit(2);
}
const config = Yaml.load(manifest).find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
if (!config) {
  process.stderr.write(`no ConfigMap ${name} in ${manifest}\n`);
  process.exit(1);
}
for (const [key, value] of Object.entries(config.data ?? {})) {
  if (dir) {
    writeFileSync(join(dir, key), value, { mode: 0o644 });
  } else {
    process.stdout.write(`${key}=${value}\n`);
  }
}
