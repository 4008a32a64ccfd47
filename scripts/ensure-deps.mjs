// `node scripts/ensure-deps.mjs`: installs the npm packages (npm ci) under Node 24 when they are missing
// or stale; silent when nothing is needed. From an older Node it first gets Node 24 and re-runs itself.
import { ensureDeps } from './lib/deps.mjs';
import { reexecUnderNode24IfNeeded } from './lib/node24.mjs';
import { log } from './lib/util.mjs';

reexecUnderNode24IfNeeded();
ensureDeps().catch((error) => {
	log(`ERROR: ${error.message}`);
	process.exit(1);
});
