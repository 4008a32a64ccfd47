// `npm test`: from any Node (20 too), get Node 24, install the npm packages, build, and run the jest
// suite, all under Node 24. Extra arguments go to jest: `npm test -- test/altinn.errors.test.ts`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ensureDeps } from './lib/deps.mjs';
import { reexecUnderNode24IfNeeded } from './lib/node24.mjs';
import { log, repoRoot } from './lib/util.mjs';

reexecUnderNode24IfNeeded();

function run(cmd, args) {
	const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', shell: process.platform === 'win32' });
	if (r.status !== 0) process.exit(r.status ?? 1);
}

try {
	await ensureDeps();
} catch (error) {
	log(`ERROR: ${error.message}`);
	process.exit(1);
}
run('npm', ['run', 'build']);
const jest = createRequire(import.meta.url).resolve('jest/bin/jest', { paths: [repoRoot] });
run(process.execPath, [jest, ...process.argv.slice(2)]);
