/** End-to-end tests: this package loaded by a real n8n (cached install), against the local emulator. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	globalSetup: '<rootDir>/test/e2e/globalSetup.js',
	maxWorkers: 1,
	testTimeout: 180000,
	reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
};
