// Jest runs in its native ES-module mode (NestJS 12 ships ESM only, see docs/adr/0001).
// swc strips types and emits legacy decorators with metadata, as tsc does for the build.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^@northstar/(contracts|common)$': '<rootDir>/services/$1/src/index.ts',
    '^@northstar/cdk8s$': '<rootDir>/cdk8s/src/index.ts',
  },
};

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/*.spec.ts', '<rootDir>/services/*/src/**/*.spec.ts', '<rootDir>/cdk8s/src/**/*.spec.ts', '<rootDir>/cdk8s/test/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/services/*/test/**/*.int-spec.ts', '<rootDir>/infra/smoke/*.int-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/services/operator/'],
    },
    // Needs a Kubernetes API server (infra/local-cluster); `make test-operator` brings one up.
    { ...shared, displayName: 'cluster', testMatch: ['<rootDir>/services/operator/test/**/*.int-spec.ts'] },
  ],
};
