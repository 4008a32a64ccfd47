// `npm run test:e2e:n8n-latest`: runs the e2e suite against the newest n8n 2.x in the registry instead of the
// pinned one (scripts/n8n/ensure-n8n.mjs, PINNED_N8N_VERSION). Non-blocking: CI does not run it. Use it to
// decide an upgrade; if it passes, change the pin.
import { spawnSync } from 'node:child_process';
import { ensureNode24, envWithNode24 } from '../lib/node24.mjs';
import { log, repoRoot } from '../lib/util.mjs';
import { newestN8nVersion, PINNED_N8N_VERSION } from './ensure-n8n.mjs';

const version = newestN8nVersion();
if (!version) {
	log('could not read the n8n versions from the npm registry');
	process.exit(1);
}
log(`e2e against n8n ${version} (pinned: ${PINNED_N8N_VERSION})`);
const r = spawnSync('npm', ['run', 'test:e2e'], {
	cwd: repoRoot,
	stdio: 'inherit',
	env: envWithNode24(ensureNode24(), { N8N_VERSION: version }),
	shell: process.platform === 'win32',
});
process.exit(r.status ?? 1);
