/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * `npm run bench`: figures measured side by side in one run against the local emulator, through
 * real n8n-core executions; each case against its anchor. Only ratios between runs made here
 * mean anything; the machine is noisy, so nothing fails on a time.
 * `npm run bench -- --short` (CI): smaller sizes; exits 1 only when a count is wrong (grants,
 * requests, pages, items emitted, duplicates).
 */
import { benchItems } from './bench/items';
import { startAltinnEnv } from './bench/env';
import { benchFiles } from './bench/files';
import { failures } from './bench/measure';
import { benchPaging } from './bench/paging';
import { benchTokens } from './bench/tokens';
import { benchTriggerCatchUp } from './bench/trigger';

const short = process.argv.includes('--short');

async function main(): Promise<void> {
	const env = await startAltinnEnv();
	try {
		await benchTokens(env, short ? 10 : 50);
		if (!short) await benchTokens(env, 1, 20); // a typical scheduled workflow: one read per execution
		await benchItems(
			env,
			short ? [{ count: 200, latencyMs: 0 }, { count: 100, latencyMs: 20 }] : [{ count: 1000, latencyMs: 0 }, { count: 300, latencyMs: 20 }],
			short ? [] : [1, 4, 8, 16, 32],
		);
		await benchPaging(env, short ? 2000 : 10_000);
		await benchFiles(env, short ? 32 : 1024);
		await benchTriggerCatchUp(env, short ? 2000 : 10_000);
	} finally {
		await env.close();
	}
	if (failures.length > 0) {
		console.error(`\nbench: ${failures.length} count check(s) failed:\n  ${failures.join('\n  ')}`);
		process.exit(1);
	}
}

main().catch((error: Error) => {
	console.error(`bench failed: ${error.message}`);
	process.exit(1);
});
