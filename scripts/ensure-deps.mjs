// Installs the npm packages when they are missing or older than package-lock.json, so that
// `npm start` and `npm test` work straight after `git clone`. Prints what it does; silent when
// nothing is needed.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lib/util.mjs';

const marker = path.join(repoRoot, 'node_modules', '.package-lock.json');
const lock = path.join(repoRoot, 'package-lock.json');
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;

if (stale) {
	process.stderr.write('Installing the npm packages (npm ci, about two minutes the first time)...\n');
	// npm_config_yes: eslint-plugin-n8n-nodes-base has a preinstall `npx only-allow pnpm` that
	// otherwise waits for a prompt in a non-interactive shell.
	execSync('npm ci --no-audit --no-fund', { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, npm_config_yes: 'true' } });
}
