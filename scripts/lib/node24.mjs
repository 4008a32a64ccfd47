// Ensure a Node >= 24 binary for n8n and the package build, even when this script runs under an older Node.
// Order: the running node (if >= 24) → $NODE24_BIN (a bin directory) → <cache>/node-<pinned version>
// (installed from the npm package node-<platform>-<arch> at the exact version in .node-version on first
// use). Usable from Node 20. The version is pinned so that CI does not change when the registry moves
// (24.22 changed an OpenSSL error); upgrade it on purpose by editing .node-version, the one place.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir, log, repoRoot } from './util.mjs';

const MIN_MAJOR = 24;
/** The exact Node version installed when the running one is too old: `.node-version` at the repository root. */
export const PINNED_NODE_VERSION = readFileSync(path.join(repoRoot, '.node-version'), 'utf8').trim();

function versionOf(nodeBin) {
	const r = spawnSync(nodeBin, ['-p', 'process.versions.node'], { encoding: 'utf8' });
	return r.status === 0 ? String(r.stdout).trim() : '';
}

function majorOf(nodeBin) {
	return Number(versionOf(nodeBin).split('.')[0]) || 0;
}

function platformPackage() {
	const plat = process.platform === 'win32' ? 'win' : process.platform;
	return `node-${plat}-${process.arch}`;
}

function exeName() {
	return process.platform === 'win32' ? 'node.exe' : 'node';
}

/** Package directory of the cached node-<platform>-<arch> package (holds bin/ and include/ for node-gyp). */
export function node24PackageDir() {
	return path.join(cacheDir(), `node-${PINNED_NODE_VERSION}`, 'node_modules', platformPackage());
}

/**
 * Returns { binDir, nodeBin, nodedir } for a Node >= 24. nodedir is a directory with include/node headers
 * (for node-gyp --nodedir) or undefined when unknown (node-gyp then downloads headers itself).
 */
export function ensureNode24() {
	const current = Number(process.versions.node.split('.')[0]);
	if (current >= MIN_MAJOR) {
		const binDir = path.dirname(process.execPath);
		const prefix = path.dirname(binDir);
		const nodedir = existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
		return { binDir, nodeBin: process.execPath, nodedir };
	}
	if (process.env.NODE24_BIN) {
		const nodeBin = path.join(process.env.NODE24_BIN, exeName());
		if (majorOf(nodeBin) >= MIN_MAJOR) {
			const prefix = path.dirname(process.env.NODE24_BIN);
			const nodedir = existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
			return { binDir: process.env.NODE24_BIN, nodeBin, nodedir };
		}
		log(`NODE24_BIN=${process.env.NODE24_BIN} does not hold a Node >= ${MIN_MAJOR}; ignoring it`);
	}
	const pkgDir = node24PackageDir();
	const binDir = path.join(pkgDir, 'bin');
	const nodeBin = path.join(binDir, exeName());
	if (!existsSync(nodeBin) || versionOf(nodeBin) !== PINNED_NODE_VERSION) {
		const prefix = path.dirname(path.dirname(pkgDir));
		mkdirSync(prefix, { recursive: true });
		const spec = `${platformPackage()}@${PINNED_NODE_VERSION}`;
		log(`Node ${process.versions.node} is older than ${MIN_MAJOR}: installing Node ${PINNED_NODE_VERSION} (${spec}) into ${prefix} (one time, about 30 MB)…`);
		const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', spec], {
			stdio: ['ignore', 'ignore', 'inherit'],
			shell: process.platform === 'win32',
		});
		if (r.status !== 0 || versionOf(nodeBin) !== PINNED_NODE_VERSION) {
			throw new Error(
				`Could not install Node ${PINNED_NODE_VERSION} from the npm registry (${spec}). Install Node ${MIN_MAJOR} yourself (https://nodejs.org) and run the command again.`,
			);
		}
	}
	const nodedir = existsSync(path.join(pkgDir, 'include', 'node', 'node.h')) ? pkgDir : undefined;
	return { binDir, nodeBin, nodedir };
}

/** process.env with the Node 24 bin directory first on PATH. */
export function envWithNode24(node, extra = {}) {
	const key = Object.keys(process.env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
	return { ...process.env, [key]: `${node.binDir}${path.delimiter}${process.env[key] ?? ''}`, ...extra };
}

/**
 * If the running node is older than 24, re-run this same script under Node 24 (first on PATH, so that
 * npm, npx and every tool it starts use it too) and exit with its code. When Node 24 cannot be got,
 * prints one line saying what to install and exits 1.
 */
export function reexecUnderNode24IfNeeded() {
	if (Number(process.versions.node.split('.')[0]) >= MIN_MAJOR) return;
	let node;
	try {
		node = ensureNode24();
	} catch (error) {
		log(`ERROR: ${error instanceof Error ? error.message : String(error)}`);
		process.exit(1);
	}
	log(`Node ${process.versions.node} is older than ${MIN_MAJOR}: continuing under Node ${versionOf(node.nodeBin)} (${node.binDir})`);
	// Ctrl+C reaches both processes; this one waits for the child to finish its own cleanup.
	process.on('SIGINT', () => {});
	const r = spawnSync(node.nodeBin, process.argv.slice(1), { stdio: 'inherit', env: envWithNode24(node) });
	process.exit(r.status ?? (r.signal ? 130 : 1));
}
