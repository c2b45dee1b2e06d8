// Runs before tsc: without the services' build, tsc would fail on missing @northstar/* types
// with an error that does not say what to do.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const needed = [
  'services/contracts/dist/index.d.ts',
  'services/common/dist/index.d.ts',
  'services/roadmap/dist/main.js',
  'services/identity/dist/main.js',
  'services/gateway/dist/main.js',
];
const missing = needed.filter((p) => !existsSync(join(root, p)));
if (missing.length > 0) {
  process.stderr.write(`bench: the services are not built (missing ${missing.join(', ')}).\nRun \`npm run build\` first, then \`npm run bench\`.\n`);
  process.exit(1);
}
