// Long installs without a wall of output: the command's output goes to a log file, and a heartbeat
// line every 15 s says it is still working (with a progress figure when given). Node >= 20.
import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { elapsed, log } from './util.mjs';

/** Runs `cmd args` with stdout and stderr appended to `logFile`. Resolves { code, seconds }. */
export function runLogged(cmd, args, { cwd, env, logFile, label, progress }) {
	return new Promise((resolve) => {
		const out = createWriteStream(logFile, { flags: 'a' });
		out.write(`\n$ ${cmd} ${args.join(' ')}\n`);
		const started = Date.now();
		const child = spawn(cmd, args, { cwd, env, shell: process.platform === 'win32' });
		child.stdout.pipe(out, { end: false });
		child.stderr.pipe(out, { end: false });
		const timer = setInterval(() => {
			log(`${label}: still working (${elapsed(started)}${progress ? `, ${progress()}` : ''})`);
		}, 15_000);
		child.on('close', (code) => {
			clearInterval(timer);
			out.end();
			resolve({ code, seconds: Math.round((Date.now() - started) / 1000) });
		});
	});
}

/** The last `lines` lines of a file ('' when unreadable). */
export function tail(file, lines = 25) {
	try {
		return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

/** "N top-level packages" installed under dir/node_modules so far, for the heartbeat. */
export function countPackages(dir) {
	try {
		let n = 0;
		for (const e of readdirSync(path.join(dir, 'node_modules'))) {
			if (e.startsWith('.')) continue;
			if (e.startsWith('@')) n += readdirSync(path.join(dir, 'node_modules', e)).length;
			else n++;
		}
		return `${n} top-level packages`;
	} catch {
		return 'resolving';
	}
}
