// The npm packages of this repository, installed with `npm ci` when they are missing or older than
// package-lock.json, so that `npm start` and `npm test` work straight after `git clone`. Must run under
// Node 24 (the engines of the lock file; isolated-vm, under n8n-core, compiles only for it): the callers
// re-exec under Node 24 first (reexecUnderNode24IfNeeded). npm's own output goes to a log file; the user
// sees a line every 15 s, and on failure the log's tail and where the whole log is.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { countPackages, runLogged, tail } from './run-logged.mjs';
import { cacheDir, log, repoRoot } from './util.mjs';

export function depsAreCurrent() {
	const marker = path.join(repoRoot, 'node_modules', '.package-lock.json');
	const lock = path.join(repoRoot, 'package-lock.json');
	return existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
}

/** `npm ci` when needed. Throws an Error whose message says what failed and where the log is. */
export async function ensureDeps() {
	if (depsAreCurrent()) return;
	mkdirSync(cacheDir(), { recursive: true });
	const logFile = path.join(cacheDir(), 'npm-ci.log');
	log(`installing the npm packages (npm ci, about two minutes the first time; log: ${logFile})…`);
	const r = await runLogged('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: repoRoot,
		// eslint-plugin-n8n-nodes-base has a preinstall `npx only-allow pnpm` that otherwise waits for a prompt.
		env: { ...process.env, npm_config_yes: 'true', npm_config_update_notifier: 'false' },
		logFile,
		label: 'npm ci',
		progress: () => countPackages(repoRoot),
	});
	if (r.code !== 0) throw new Error(`npm ci failed (exit ${r.code}); the end of ${logFile}:\n${tail(logFile, 15)}`);
	log(`npm packages installed (${r.seconds}s)`);
}
