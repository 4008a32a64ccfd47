// Runs once before the e2e suite: installs (or reuses) the cached n8n and installs this package into it.
// The first run on a bare machine installs n8n (several minutes); progress goes to stderr.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { e2eWorkDir } = require('./workDir');

module.exports = async function globalSetup() {
	const root = path.resolve(__dirname, '..', '..');
	const started = Date.now();
	const r = spawnSync(process.execPath, [path.join(root, 'scripts/n8n/prepare-e2e.mjs'), e2eWorkDir], {
		stdio: ['ignore', 'inherit', 'inherit'],
		cwd: root,
	});
	if (r.status !== 0) throw new Error('preparing n8n for the e2e tests failed (see the output above)');
	process.stderr.write(`[e2e] n8n prepared in ${Math.round((Date.now() - started) / 1000)}s\n`);
};
