#!/usr/bin/env node
/**
 * Runs n8n's community package scanner rules (@n8n/scan-community-package) locally, on the
 * two legs the real scanner lints: the source (`package.json`, `nodes/`, `credentials/`)
 * and the packed tarball (`dist/**\/*.js`, `package.json`). The real scanner only takes a
 * published package name, and also checks npm provenance, which only a release can have.
 *
 * Usage: npm run build && npm run scan
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'altinn-scan-'));
let failed = false;

function report(leg, result) {
	console.log(`${leg}: ${result.passed ? 'PASS' : `FAIL (${result.message})`}`);
	if (!result.passed) {
		failed = true;
		if (result.details) console.log(result.details);
	}
}

try {
	report('source leg', await analyzePackage(root, SOURCE_FILE_PATTERNS));

	execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
	const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
	if (!tarball) throw new Error('npm pack produced no tarball');
	execFileSync('tar', ['xzf', join(work, tarball), '-C', work]);
	const packed = join(work, 'package');
	const files = readdirSync(join(packed, 'dist'), { recursive: true }).filter((f) => String(f).endsWith('.js'));
	console.log(`tarball: ${tarball}, ${files.length} JavaScript files`);
	if (files.length === 0) throw new Error('the tarball has no dist/**/*.js: run `npm run build` first');
	report('tarball leg', await analyzePackage(packed, ['**/*.js', 'package.json']));
} finally {
	rmSync(work, { recursive: true, force: true });
}

process.exit(failed ? 1 : 0);
