/** @type {import('jest').Config} */
// ESM-only packages (@octokit/* and their helpers) are transpiled to CommonJS for Jest; the app itself loads them
// with require() on Node >= 20.19.
const ESM_ONLY = ['@octokit', 'universal-user-agent', 'before-after-hook', 'universal-github-app-jwt', 'json-with-bigint', 'toad-cache'];
module.exports = {
  moduleFileExtensions: ['js', 'mjs', 'json', 'ts'],
  rootDir: '.',
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    '^.+\\.m?js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true } }],
  },
  // anything inside (or nested under) those packages is transformed; the rest of node_modules is not
  transformIgnorePatterns: [`^(?!.*/node_modules/(${ESM_ONLY.join('|')})/).*/node_modules/`],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup/worker-env.ts'],
  testRegex: ['src/.*\\.spec\\.ts$', 'test/.*\\.(int|e2e|medium)-spec\\.ts$'],
  testTimeout: 30000,
  maxWorkers: 2,
};
