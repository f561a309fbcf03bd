// Unit tests sit beside the code (*.spec.ts); end-to-end tests live in test/ (*.e2e-spec.ts)
// and boot the real app against real PostgreSQL and Redis (see test/support/test-app.ts).
const tsJest = [
  'ts-jest',
  {
    // Type checking is done once by `tsc --noEmit` in `npm test`; here we only transpile.
    tsconfig: { module: 'commonjs', moduleResolution: 'node10', isolatedModules: true, ignoreDeprecations: '5.0' },
  },
];

const moduleNameMapper = {
  '^@strata/([a-z-]+)$': '<rootDir>/libs/$1/src',
};

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      moduleNameMapper,
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      moduleNameMapper,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testTimeout: 60000,
    },
  ],
};
