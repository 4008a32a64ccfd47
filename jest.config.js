/** Unit and workflow tests: real n8n-core executions against the local emulator. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	testTimeout: 60000,
	// The plain "N passed, N failed" line lets CI read the result whatever the runner.
	reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
};
