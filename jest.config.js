// Unit tests sit beside the code (*.spec.ts); end-to-end tests in test/ (*.e2e-spec.ts) boot the real app
// on a real PostgreSQL (embedded unless DATABASE_URL is set). Type checking is `npm run typecheck`.
const esmPackages = ['bpmn-moddle', 'moddle', 'moddle-xml', 'min-dash', 'saxen', '@camunda/form-linting', '@bpmn-io', '@lezer', 'lezer-feel', 'feelin', 'semver-compare', 'jose', 'bpmnlint-plugin-camunda-compat',
  'temporal-polyfill',
  'temporal-utils'];

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testRegex: ['src/.*\\.spec\\.ts$', 'test/.*\\.(e2e-)?spec\\.ts$'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs', moduleResolution: 'node10', allowJs: true } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
};
