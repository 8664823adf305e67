/** Jest with native ESM (agenda 6 is ESM-only) and @swc/jest for TypeScript. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/src', '<rootDir>/bots'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // ESM-only, require()d by @microsoft/app-manifest: jest before Node 24.9 cannot (see the file).
    '^strip-bom$': '<rootDir>/test/helpers/strip-bom.cjs',
  },
  globalSetup: '<rootDir>/test/helpers/global-setup.mjs',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.mjs',
  testTimeout: 30000,
  maxWorkers: 2,
};
