// Prepare a real n8n for the e2e suite: ensure the cached n8n, build + pack + install this package into a
// fresh user folder, and write the facts to <out>/context.json (test/e2e/workDir.js gives <out>: a folder under the system temp dir).
//   node scripts/n8n/prepare-e2e.mjs [outDir]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureN8n } from './ensure-n8n.mjs';
import { installPackage } from '../lib/package.mjs';
import { elapsed, log, repoRoot } from '../lib/util.mjs';

const outDir = path.resolve(process.argv[2] || path.join(repoRoot, '.e2e'));
const n8n = await ensureN8n();
const userFolder = path.join(outDir, 'n8n-user');
rmSync(userFolder, { recursive: true, force: true });
mkdirSync(userFolder, { recursive: true });
installPackage(n8n.node, userFolder, { force: process.env.E2E_FORCE_BUILD === '1' });
const context = { version: n8n.version, dir: n8n.dir, bin: n8n.bin, node: n8n.node, userFolder, preparedIn: elapsed() };
writeFileSync(path.join(outDir, 'context.json'), JSON.stringify(context, null, 2));
log(`e2e: n8n ${n8n.version} and the package ready (${elapsed()})`);
