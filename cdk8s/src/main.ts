import { fileURLToPath } from 'node:url';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { NorthstarOperator } from './operator.js';
import { NorthstarPlatform, type NorthstarPlatformProps } from './platform.js';
import { kindProfile, productionProfile, type ProfileName } from './profiles.js';

// Production names a release; a developer's synth falls back to the workspace version.
const releaseTag = process.env['NORTHSTAR_IMAGE_TAG'] ?? '0.1.0';
// NORTHSTAR_OPERATOR=true adds the Platform operator, in its own namespace, as dist/<profile>/operator.yaml.
const withOperator = process.env['NORTHSTAR_OPERATOR'] === 'true';
// Compiled to dist/lib/main.js; profiles go beside it in dist/<profile>/.
const outRoot = fileURLToPath(new URL('../', import.meta.url));

const profiles: Record<ProfileName, NorthstarPlatformProps> = {
  kind: kindProfile(),
  production: productionProfile({ registry: process.env['NORTHSTAR_REGISTRY'], tag: releaseTag }),
};

for (const [name, props] of Object.entries(profiles)) {
  const app = new App({
    outdir: `${outRoot}${name}`,
    outputFileExtension: '.yaml',
    yamlOutputType: YamlOutputType.FILE_PER_CHART,
  });
  new NorthstarPlatform(new Chart(app, 'northstar'), 'northstar', props);
  if (withOperator) {
    new NorthstarOperator(new Chart(app, 'operator'), 'operator', { profile: props.profile, image: props.images });
  }
  app.synth();
  const files = withOperator ? 'northstar.yaml, operator.yaml' : 'northstar.yaml';
  process.stdout.write(`synthesized ${name} -> cdk8s/dist/${name}/${files}\n`);
}
