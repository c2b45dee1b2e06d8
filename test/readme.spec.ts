import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatewaySchema } from '../services/gateway/src/config.js';
import { identitySchema } from '../services/identity/src/config.js';
import { roadmapConfigSchema } from '../services/roadmap/src/config.js';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');

describe('README', () => {
  it('documents every environment variable a service reads', () => {
    const names = [gatewaySchema(), identitySchema(), roadmapConfigSchema].flatMap((schema) => Object.values(schema).map((spec) => spec.env));
    expect(new Set(names).size).toBeGreaterThan(20);
    const missing = [...new Set(names)].filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('opens with the two commands a newcomer runs', () => {
    const firstBlock = readme.slice(0, readme.indexOf('```', readme.indexOf('```') + 3));
    expect(firstBlock).toContain('make run');
    expect(firstBlock).toContain('make test');
  });
});
