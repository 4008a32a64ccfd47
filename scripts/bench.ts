/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * `npm run bench`: figures measured side by side in one run against the local emulator,
 * through real n8n-core executions. Only ratios between runs made here are meaningful; the
 * machine is noisy, so nothing here asserts a time.
 *
 *  1. Token cache: 20 executions x 50 instance reads with the credential's cache, against
 *     the same work with one grant + exchange per execution (what a hand-built Code node +
 *     HTTP Request flow does).
 *  2. Batching: 200 instance reads with 20 ms of emulated latency, one at a time and 10 at a time.
 *  3. Paging: Search with Return All over a 5,000-instance app.
 */
import { performance } from 'node:perf_hooks';

// The test environment first: it loads the node before the credential domain, in the order n8n does.
import { startAltinnEnv, type AltinnEnv } from '../test/support/altinnNode';
import { clearTokenCache } from '../credentials/maskinporten';

const EXECUTIONS = 20;
const ITEMS = 50;

async function timed(fn: () => Promise<void>): Promise<number> {
	const start = performance.now();
	await fn();
	return performance.now() - start;
}

function grantsAndExchanges(env: AltinnEnv): string {
	return `${env.emu.counters.get('maskinporten.grants')} grants, ${env.emu.counters.get('authentication.exchanges')} exchanges`;
}

function getItems(env: AltinnEnv, count: number) {
	return Array.from({ length: count }, () => ({ json: { id: env.seed.instances.active } }));
}

const getParams = { resource: 'instance', operation: 'get', instanceId: '={{ $json.id }}' };

async function runExecutions(env: AltinnEnv, freshTokenEachExecution: boolean): Promise<number> {
	return await timed(async () => {
		for (let e = 0; e < EXECUTIONS; e++) {
			if (freshTokenEachExecution) {
				env.credentials.clearExpirable('cred-1');
				clearTokenCache();
			}
			const run = await env.run(getParams, { items: getItems(env, ITEMS) });
			if (run.error || run.items.length !== ITEMS) throw new Error(`execution failed: ${run.error?.message}`);
		}
	});
}

async function benchTokenCache(env: AltinnEnv): Promise<void> {
	console.log(`\n1. Token cache: ${EXECUTIONS} executions x ${ITEMS} instance reads`);
	await env.run(getParams, { items: getItems(env, 1) }); // warm-up (module loading, JIT)
	env.emu.counters.reset();
	const cached = await runExecutions(env, false);
	console.log(`   cached credential        ${cached.toFixed(0).padStart(6)} ms   ${grantsAndExchanges(env)}`);
	env.emu.counters.reset();
	const fresh = await runExecutions(env, true);
	console.log(`   grant per execution      ${fresh.toFixed(0).padStart(6)} ms   ${grantsAndExchanges(env)}`);
	console.log(`   ratio (per-execution grant / cached): ${(fresh / cached).toFixed(2)}x`);
}

async function benchBatching(env: AltinnEnv): Promise<void> {
	const count = 200;
	console.log(`\n2. Batching: ${count} instance reads, 20 ms emulated latency per request`);
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
	console.log(`\n3. Paging: Search with Return All over ${count} instances`);
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
		await benchTokenCache(env);
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
