/**
 * Asset step of the build: `tsc` emits only JavaScript, so the icons and the codex files
 * (`*.node.json`, which n8n reads for categories and documentation links) are copied
 * into `dist/` here, keeping their relative paths.
 */
const { src, dest } = require('gulp');

function buildAssets() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}', 'icons/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:assets'] = buildAssets;
