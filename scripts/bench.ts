/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * `npm run bench`: figures measured side by side in one run against the local emulator, through
 * real n8n-core executions; each case against its anchor. Only ratios between runs made here
 * mean anything; the machine is noisy, so nothing fails on a time.
 * `npm run bench -- --short` (CI): smaller sizes; exits 1 only when a count is wrong (grants,
 * requests, pages, items emitted, duplicates). It leaves out the real-n8n case (6), which needs the
 * e2e suite's n8n: `npm run bench -- --n8n-only [--short]` runs that case alone (CI, after its e2e
 * step), installing that n8n when missing; a plain `npm run bench` runs it when n8n is installed.
 */
import { benchItems } from './bench/items';
import { benchN8nItems } from './bench/n8nItems';
import { startAltinnEnv } from './bench/env';
import { benchFiles } from './bench/files';
import { failures } from './bench/measure';
import { benchPaging } from './bench/paging';
import { benchTokens } from './bench/tokens';
import { benchTriggerCatchUp } from './bench/trigger';

const short = process.argv.includes('--short');
const n8nOnly = process.argv.includes('--n8n-only');

/** The "get instance" item cases, in-process (case 2) and in a real n8n (case 6). */
const itemCases = short ? [{ count: 200, latencyMs: 0 }, { count: 100, latencyMs: 20 }] : [{ count: 1000, latencyMs: 0 }, { count: 300, latencyMs: 20 }];

async function main(): Promise<void> {
	if (n8nOnly) await benchN8nItems(itemCases, { install: true });
	else await benchInProcess();
	if (failures.length > 0) {
		console.error(`\nbench: ${failures.length} count check(s) failed:\n  ${failures.join('\n  ')}`);
		process.exit(1);
	}
}

async function benchInProcess(): Promise<void> {
	const env = await startAltinnEnv();
	try {
		await benchTokens(env, short ? 10 : 50);
		if (!short) await benchTokens(env, 1, 20); // a typical scheduled workflow: one read per execution
		await benchItems(env, itemCases, short ? [] : [1, 4, 8, 16, 32]);
		await benchPaging(env, short ? 2000 : 10_000);
		await benchFiles(env, short ? 32 : 1024);
		await benchTriggerCatchUp(env, short ? 2000 : 10_000);
	} finally {
		await env.close();
	}
	if (short) console.log('\n6. "Get instance" items in a real n8n: not in --short (`npm run bench -- --n8n-only --short` runs it)');
	else await benchN8nItems(itemCases, { install: false });
}

main().catch((error: Error) => {
	console.error(`bench failed: ${error.message}`);
	process.exit(1);
});
