/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * `npm run bench`: figures measured side by side in one run against the local emulator,
 * through real n8n-core executions. Only ratios between runs made here are meaningful; the
 * machine is noisy, so nothing here asserts a time.
 *
 *  1. Token cache: 20 executions with the credential's cache, against the same work with one
 *     grant + exchange per execution (what a hand-built Code node + HTTP Request flow does):
 *     50 reads per execution on bare loopback, and 1 read per execution (a typical scheduled
 *     workflow) with 20 ms of emulated network latency on every request.
 *  2. Batching: 200 instance reads with 20 ms of emulated latency, one at a time and 10 at a time.
 *  3. Paging: Search with Return All over a 5,000-instance app.
 */
import { performance } from 'node:perf_hooks';

// The test environment first: it loads the node before the credential domain, in the order n8n does.
import { startAltinnEnv, type AltinnEnv } from '../test/support/altinnNode';
import { clearTokenCache } from '../credentials/maskinporten';

const EXECUTIONS = 20;

async function timed(fn: () => Promise<void>): Promise<number> {
	const start = performance.now();
	await fn();
	return performance.now() - start;
}

function getItems(env: AltinnEnv, count: number) {
	return Array.from({ length: count }, () => ({ json: { id: env.seed.instances.active } }));
}

const getParams = { resource: 'instance', operation: 'get', instanceId: '={{ $json.id }}' };

async function oneExecution(env: AltinnEnv, freshToken: boolean, items: number): Promise<number> {
	if (freshToken) {
		env.credentials.clearExpirable('cred-1');
		clearTokenCache();
	}
	return await timed(async () => {
		const run = await env.run(getParams, { items: getItems(env, items) });
		if (run.error || run.items.length !== items) throw new Error(`execution failed: ${run.error?.message}`);
	});
}

async function benchTokenCache(env: AltinnEnv, items: number, latencyMs: number): Promise<void> {
	console.log(`\nToken cache: ${EXECUTIONS} executions x ${items} instance reads, ${latencyMs} ms latency per request, each way, interleaved`);
	env.emu.knobs.latencyMs = latencyMs;
	await env.run(getParams, { items: getItems(env, 1) }); // warm-up (module loading, JIT, first token)
	// Alternate the two modes execution by execution, so drifting machine load hits both alike.
	const total = { cached: 0, fresh: 0 };
	const counts = { cached: { grants: 0, exchanges: 0 }, fresh: { grants: 0, exchanges: 0 } };
	for (let e = 0; e < EXECUTIONS; e++) {
		for (const mode of ['cached', 'fresh'] as const) {
			env.emu.counters.reset();
			if (mode === 'cached' && !env.credentials.getStoredData('cred-1').accessToken) await oneExecution(env, false, items);
			env.emu.counters.reset();
			total[mode] += await oneExecution(env, mode === 'fresh', items);
			counts[mode].grants += env.emu.counters.get('maskinporten.grants');
			counts[mode].exchanges += env.emu.counters.get('authentication.exchanges');
		}
	}
	const line = (label: string, mode: 'cached' | 'fresh') =>
		console.log(`   ${label} ${total[mode].toFixed(0).padStart(6)} ms   ${counts[mode].grants} grants, ${counts[mode].exchanges} exchanges`);
	line('cached credential     ', 'cached');
	line('grant per execution   ', 'fresh');
	console.log(`   ratio (grant per execution / cached): ${(total.fresh / total.cached).toFixed(2)}x time`);
	env.emu.knobs.latencyMs = 0;
}

async function benchBatching(env: AltinnEnv): Promise<void> {
	const count = 200;
	console.log(`\nBatching: ${count} instance reads, 20 ms emulated latency per request`);
	env.emu.knobs.latencyMs = 20;
	const times: number[] = [];
	for (const batchSize of [1, 10]) {
		const params = { ...getParams, requestOptions: { batching: { batch: { batchSize, batchInterval: 0 } } } };
		const ms = await timed(async () => {
			const run = await env.run(params, { items: getItems(env, count) });
			if (run.error || run.items.length !== count) throw new Error(`batch run failed: ${run.error?.message}`);
		});
		times.push(ms);
		console.log(`   ${String(batchSize).padStart(2)} at a time  ${ms.toFixed(0).padStart(6)} ms`);
	}
	console.log(`   speed-up: ${(times[0] / times[1]).toFixed(2)}x`);
	env.emu.knobs.latencyMs = 0;
}

async function benchPaging(env: AltinnEnv): Promise<void> {
	const count = 5000;
	console.log(`\nPaging: Search with Return All over ${count} instances`);
	env.emu.world.createInstances(count, { appId: env.seed.apps.quiet, partyId: env.seed.parties.org.partyId });
	env.emu.counters.reset();
	const [org, app] = env.seed.apps.quiet.split('/');
	let returned = 0;
	const ms = await timed(async () => {
		const run = await env.run({
			resource: 'instance',
			operation: 'search',
			org,
			app: { __rl: true, mode: 'id', value: app },
			returnAll: true,
			filters: {},
		});
		if (run.error) throw new Error(`search failed: ${run.error.message}`);
		returned = run.items.length;
	});
	const pages = env.emu.counters.get('route.storage.instances.query');
	console.log(`   ${returned} instances in ${pages} requests, ${ms.toFixed(0)} ms (${((returned / ms) * 1000).toFixed(0)} instances/s)`);
}

async function main(): Promise<void> {
	const env = await startAltinnEnv();
	try {
		await benchTokenCache(env, 50, 0);
		await benchTokenCache(env, 1, 20);
		await benchBatching(env);
		await benchPaging(env);
	} finally {
		await env.close();
	}
}

main().catch((error: Error) => {
	console.error(`bench failed: ${error.message}`);
	process.exit(1);
});
