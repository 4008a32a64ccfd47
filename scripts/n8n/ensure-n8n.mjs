// Install a real n8n 2.x into a cache folder outside the package's own dependencies, idempotently.
//   node scripts/n8n/ensure-n8n.mjs        → prints the n8n install directory (and the version on stderr)
// Cache: $N8N_CACHE_DIR or ~/.cache/n8n-nodes-altinn; n8n lands in <cache>/n8n-<version>/node_modules/n8n.
// Version: PINNED_N8N_VERSION below, the one place to upgrade it (on purpose, after the e2e suite passed on
// the new version: `npm run test:e2e:n8n-latest` tries the newest 2.x without changing anything). $N8N_VERSION
// overrides it for one run. A pin, so CI does not change on a day when nothing here did.
// Install: `npm install --ignore-scripts` (n8n's scripts download zlib for Kafka, which fails offline),
// then sqlite3's native module: prebuilt binary if reachable, else node-gyp from source.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode24, envWithNode24 } from '../lib/node24.mjs';
import { countPackages, runLogged, tail } from '../lib/run-logged.mjs';
import { cacheDir, elapsed, log } from '../lib/util.mjs';

/** The n8n version that `npm start`, the e2e suite and CI run against. */
export const PINNED_N8N_VERSION = '2.41.1';

export const installDirFor = (version) => path.join(cacheDir(), `n8n-${version}`);
const readyMarker = (dir) => path.join(dir, '.ready');

function cmp(a, b) {
	const pa = a.split('.').map(Number);
	const pb = b.split('.').map(Number);
	for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
	return 0;
}

/** All sqlite3 package directories inside an install (hoisted or nested). */
function findPackages(root, name) {
	const found = [];
	const walk = (nm, depth) => {
		if (depth > 6 || !existsSync(nm)) return;
		for (const e of readdirSync(nm)) {
			if (e.startsWith('.')) continue;
			const p = path.join(nm, e);
			if (e.startsWith('@')) {
				for (const s of readdirSync(p)) walk(path.join(p, s, 'node_modules'), depth + 1);
				continue;
			}
			if (e === name && existsSync(path.join(p, 'package.json'))) found.push(p);
			walk(path.join(p, 'node_modules'), depth + 1);
		}
	};
	walk(path.join(root, 'node_modules'), 0);
	return found;
}

function sqliteLoads(node, dir) {
	const r = spawnSync(node.nodeBin, ['-e', `require(${JSON.stringify(dir)})`], { encoding: 'utf8', env: envWithNode24(node) });
	return r.status === 0;
}

async function buildSqlite(node, installDir, logFile) {
	const dirs = findPackages(installDir, 'sqlite3');
	if (dirs.length === 0) throw new Error('sqlite3 not found inside the n8n install');
	for (const dir of dirs) {
		if (sqliteLoads(node, dir)) {
			log(`sqlite3 native module already works (${path.relative(installDir, dir)})`);
			continue;
		}
		const env = envWithNode24(node, node.nodedir ? { npm_config_nodedir: node.nodedir } : {});
		// 1) prebuilt binary (fast; needs GitHub access, so it fails quickly offline)
		const prebuild = path.join(installDir, 'node_modules', '.bin', process.platform === 'win32' ? 'prebuild-install.cmd' : 'prebuild-install');
		if (existsSync(prebuild) && process.env.N8N_SQLITE_FROM_SOURCE !== '1') {
			log('sqlite3: trying the prebuilt binary…');
			const r = await runLogged(prebuild, ['-r', 'napi'], { cwd: dir, env, logFile, label: 'sqlite3 prebuilt' });
			if (r.code === 0 && sqliteLoads(node, dir)) {
				log(`sqlite3: prebuilt binary installed (${r.seconds}s)`);
				continue;
			}
			log('sqlite3: no prebuilt binary reachable; building from source with node-gyp (about 1–2 minutes)…');
		}
		const gypArgs = ['--yes', 'node-gyp', 'rebuild', '--jobs=max'];
		if (node.nodedir) gypArgs.push(`--nodedir=${node.nodedir}`);
		const r = await runLogged('npx', gypArgs, { cwd: dir, env, logFile, label: 'sqlite3 node-gyp build' });
		if (r.code !== 0 || !sqliteLoads(node, dir)) {
			throw new Error(`building sqlite3 failed (see ${logFile}):\n${tail(logFile)}`);
		}
		log(`sqlite3: built from source (${r.seconds}s)`);
	}
}

function n8nWorks(node, dir) {
	const bin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	if (!existsSync(bin)) return false;
	const pkg = JSON.parse(readFileSync(path.join(dir, 'node_modules', 'n8n', 'package.json'), 'utf8'));
	return Boolean(pkg.version);
}

async function installVersion(node, version) {
	const dir = installDirFor(version);
	if (existsSync(readyMarker(dir)) && n8nWorks(node, dir)) return dir;
	mkdirSync(dir, { recursive: true });
	const logFile = path.join(dir, 'install.log');
	writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify({ name: 'n8n-runtime-cache', private: true, description: 'n8n used by n8n-nodes-altinn npm start and e2e tests' }, null, 2),
	);
	const env = envWithNode24(node, node.nodedir ? { npm_config_nodedir: node.nodedir } : {});
	log(`installing n8n@${version} into ${dir} (first run only; several minutes; log: ${logFile})`);
	const r = await runLogged(
		'npm',
		['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `n8n@${version}`],
		{ cwd: dir, env, logFile, label: `npm install n8n@${version}`, progress: () => countPackages(dir) },
	);
	if (r.code !== 0) {
		const reason = tail(logFile, 8);
		rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
		throw new Error(`npm install n8n@${version} failed:\n${reason}`);
	}
	log(`n8n@${version} installed (${r.seconds}s); preparing native modules`);
	await buildSqlite(node, dir, logFile);
	if (!n8nWorks(node, dir)) throw new Error(`n8n@${version} does not start after install (see ${logFile})`);
	writeFileSync(readyMarker(dir), JSON.stringify({ version, node: node.nodeBin, at: new Date().toISOString() }));
	log(`n8n@${version} ready (${elapsed()})`);
	return dir;
}

/**
 * Make sure the pinned n8n (or $N8N_VERSION) is installed in the cache. Returns { dir, version, bin, node }
 * where bin is the n8n entry script (run it with node.nodeBin).
 */
export async function ensureN8n() {
	const node = ensureNode24();
	const version = process.env.N8N_VERSION || PINNED_N8N_VERSION;
	const dir = await installVersion(node, version);
	return { dir, version, bin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), node };
}

/** The newest n8n 2.x in the registry, for `npm run test:e2e:n8n-latest` (non-blocking; CI uses the pin). */
export function newestN8nVersion() {
	const node = ensureNode24();
	const r = spawnSync('npm', ['view', 'n8n', 'versions', '--json'], { encoding: 'utf8', env: envWithNode24(node), shell: process.platform === 'win32', timeout: 60_000 });
	const versions = r.status === 0 ? JSON.parse(r.stdout).filter((v) => /^2\.\d+\.\d+$/.test(v)) : [];
	return versions.sort(cmp).at(-1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	ensureN8n().then(
		(r) => {
			log(`n8n ${r.version} at ${r.dir}`);
			process.stdout.write(`${r.dir}\n`);
		},
		(e) => {
			log(`ERROR: ${e.message}`);
			process.exit(1);
		},
	);
}
