// Unit tests sit beside the code (*.spec.ts); end-to-end tests live in test/ (*.e2e-spec.ts)
// and boot the real app against real PostgreSQL and Redis (see test/support/test-app.ts).
const tsJest = [
  'ts-jest',
  {
    // Type checking is done once by `tsc --noEmit` in `npm test`; here we only transpile.
    tsconfig: { module: 'commonjs', moduleResolution: 'node10', isolatedModules: true, ignoreDeprecations: '5.0', allowJs: true },
  },
];

// Jest's module loader cannot require() ES modules unless Node runs with --experimental-vm-modules
// (checked on Node 24.22 with jest 30.5: without these entries the e2e suites fail to load), so
// these ESM-only dependencies are compiled to CommonJS for the tests. Node itself loads them
// natively at run time (require(esm), Node 22.12+).
// eventsource-parser: the client's event stream; d3-*: the console's graph layout, unit-tested in apps/console.
// openapi-backend (the e2e responses' validator) is CommonJS but loads json-schema-ref-parser with a
// dynamic import(), which Jest's loader refuses without that flag; compiled here, it becomes a require().
const esmOnlyPackages = [
  'content-disposition',
  '@apidevtools/json-schema-ref-parser',
  '@apidevtools/swagger-parser',
  'eventsource-parser',
  'd3-[a-z]+',
  'openapi-backend',
];
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`];

const moduleNameMapper = {
  // The typed client's sources (packages/client), as its package.json's `strata-source` condition names them.
  '^@strata/client$': '<rootDir>/packages/client/src/index.ts',
  '^@strata/([a-z-]+)$': '<rootDir>/libs/$1/src',
  // The client is an ES module package: its relative imports name the emitted `.js` file.
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

const project = (displayName, testMatch, extra = {}) => ({
  displayName,
  testEnvironment: 'node',
  transform: { '^.+\\.m?[tj]s$': tsJest },
  transformIgnorePatterns,
  moduleNameMapper,
  testMatch,
  ...extra,
});

module.exports = {
  // A global option (jest ignores it inside projects): e2e tests boot apps and databases.
  testTimeout: 60000,
  projects: [
    project('unit', ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/packages/*/src/**/*.spec.ts']),
    project('e2e', ['<rootDir>/test/**/*.e2e-spec.ts']),
    // Headless Chromium against a running Strata (test/support/browser.ts says which Chromium).
    // The console is built before they run (test/browser/global-setup.js).
    project('browser', ['<rootDir>/test/browser/**/*.browser-spec.ts'], { globalSetup: '<rootDir>/test/browser/global-setup.js' }),
    // Real distributed engines started by the tests themselves (npm run test:scale; .ci/run runs it after npm test).
    project('scale', ['<rootDir>/test/scale/**/*.scale-spec.ts']),
  ],
};
