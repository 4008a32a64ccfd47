// Small helpers shared by the scripts (Node >= 20, no dependencies).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Cache root: $N8N_CACHE_DIR, $N8N_NODES_ALTINN_CACHE, else the user's cache folder
 * (`$XDG_CACHE_HOME` or `~/.cache`)/n8n-nodes-altinn, so that every clone on a machine (and CI)
 * shares one n8n install instead of spending minutes on it again.
 */
export function cacheDir() {
	const userCache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.resolve(process.env.N8N_CACHE_DIR || process.env.N8N_NODES_ALTINN_CACHE || path.join(userCache, 'n8n-nodes-altinn'));
}

// Counted from the first process of a command, also across the re-run under Node 24, so that
// "ready in N s" includes every wait the user had.
const t0 = Number(process.env.ALTINN_N8N_STARTED_AT) || Date.now();
process.env.ALTINN_N8N_STARTED_AT = String(t0);
export function elapsed(since = t0) {
	const s = Math.round((Date.now() - since) / 1000);
	return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function log(msg) {
	process.stderr.write(`[altinn-n8n ${elapsed()}] ${msg}\n`);
}
