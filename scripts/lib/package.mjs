// Build this package, pack it, and install the tarball the way n8n installs a community package:
// unpacked into <userFolder>/.n8n/nodes/node_modules/n8n-nodes-altinn (the package has no runtime deps).
// Skips build and pack when the sources have not changed since the last install into that folder.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { envWithNode24 } from './node24.mjs';
import { log, repoRoot } from './util.mjs';

const SOURCES = ['package.json', 'gulpfile.js', 'tsconfig.json', 'nodes', 'credentials', 'icons'];

function hashSources() {
	const h = createHash('sha256');
	const walk = (p) => {
		if (!existsSync(p)) return;
		const st = statSync(p);
		if (st.isDirectory()) {
			for (const e of readdirSync(p).sort()) walk(path.join(p, e));
		} else {
			h.update(path.relative(repoRoot, p));
			h.update(readFileSync(p));
		}
	};
	for (const s of SOURCES) walk(path.join(repoRoot, s));
	return h.digest('hex');
}

function run(cmd, args, opts) {
	const r = spawnSync(cmd, args, { encoding: 'utf8', shell: process.platform === 'win32', ...opts });
	if (r.status !== 0) {
		throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${(r.stdout || '').slice(-2000)}\n${(r.stderr || '').slice(-2000)}`);
	}
	return r.stdout;
}

export const packageName = () => JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).name;

/**
 * Ensure the current sources are built and installed as a community package in userFolder.
 * Returns { dir, rebuilt }.
 */
export function installPackage(node, userFolder, { force = false } = {}) {
	const name = packageName();
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', name);
	const stampFile = path.join(target, '.source-hash');
	const hash = hashSources();
	if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) {
		log(`${name}: unchanged since the last install, not rebuilding`);
		return { dir: target, rebuilt: false };
	}
	const env = envWithNode24(node);
	const t0 = Date.now();
	log(`${name}: building (npm run build)…`);
	run('npm', ['run', 'build'], { cwd: repoRoot, env });
	const packDir = mkdtempSync(path.join(tmpdir(), 'altinn-pack-'));
	try {
		const out = run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: repoRoot, env });
		const tgz = path.join(packDir, JSON.parse(out)[0].filename);
		rmSync(target, { recursive: true, force: true });
		mkdirSync(target, { recursive: true });
		run('tar', ['xzf', tgz, '-C', target, '--strip-components=1'], {});
		// what `npm install` in ~/.n8n/nodes would leave: a package.json that depends on the package
		const nodesDir = path.join(userFolder, '.n8n', 'nodes');
		const manifest = path.join(nodesDir, 'package.json');
		const pkg = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')) : { name: 'installed-nodes', private: true };
		pkg.dependencies = { ...(pkg.dependencies || {}), [name]: `file:${path.relative(nodesDir, tgz)}` };
		pkg.dependencies[name] = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')).version;
		writeFileSync(manifest, JSON.stringify(pkg, null, 2));
		writeFileSync(stampFile, hash);
	} finally {
		rmSync(packDir, { recursive: true, force: true });
	}
	log(`${name}: built, packed and installed into ${target} (${Math.round((Date.now() - t0) / 1000)}s)`);
	return { dir: target, rebuilt: true };
}
