/** Queue mode (`npm run test:queue`): Redis, PostgreSQL, an n8n main and two workers with this package. `.ci/run` runs it after the e2e suite. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.e2e.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	globalSetup: '<rootDir>/test/e2e/globalSetup.js',
	maxWorkers: 1,
	testTimeout: 600000,
};
