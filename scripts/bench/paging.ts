/* eslint-disable no-console */
/**
 * Case 3: Search with Return All over a large app, against a raw loop that follows `next` with
 * the same page size: requests, time and peak heap.
 */
import { RETURN_ALL_PAGE_SIZE } from '../../nodes/Altinn/actions/instance/search.operation';
import { storedToken, type AltinnEnv } from './env';
import { expectCount, measure, ratio, table } from './measure';

const APP = 'ttd/quiet-app';

async function rawPaging(env: AltinnEnv): Promise<number> {
	const token = storedToken(env);
	// Oldest-first, as the node pages: Storage's newest-first paging skips and repeats instances
	// that share a lastChanged across a page boundary (see the emulator's storage.ts).
	let url: string | undefined = `${env.emu.url}/storage/api/v1/instances?appId=${APP}&size=${RETURN_ALL_PAGE_SIZE}&order=asc:lastChanged`;
	const all: unknown[] = [];
	while (url) {
		const res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
		if (!res.ok) throw new Error(`raw paging: ${res.status}`);
		const page = (await res.json()) as { instances: unknown[]; next?: string | null };
		all.push(...page.instances);
		url = page.next ?? undefined;
	}
	return all.length;
}

export async function benchPaging(env: AltinnEnv, count: number): Promise<void> {
	console.log(`\n3. Search with Return All over ${count} instances, against a raw paging loop (page size ${RETURN_ALL_PAGE_SIZE})`);
	for (const [id, rec] of env.emu.world.instances) if (rec.instance.appId === APP) env.emu.world.instances.delete(id);
	env.emu.world.createInstances(count, { appId: APP, partyId: env.seed.parties.org.partyId });
	const [org, app] = APP.split('/');
	const search = { resource: 'instance', operation: 'search', org, app: { __rl: true, mode: 'id', value: app }, returnAll: true, filters: {} };
	await env.run({ ...search, returnAll: false, limit: 1 }); // warm-up and a stored token

	env.emu.counters.reset();
	const raw = await measure(async () => await rawPaging(env));
	const rawPages = env.emu.counters.get('route.storage.instances.query');
	env.emu.counters.reset();
	const node = await measure(async () => {
		const run = await env.run(search);
		if (run.error) throw new Error(`search failed: ${run.error.message}`);
		return run.items.length;
	});
	const nodePages = env.emu.counters.get('route.storage.instances.query');
	table(
		['', 'instances', 'requests', 'time', 'ratio', 'peak heap'],
		[
			['raw paging loop (anchor)', raw.value, rawPages, `${raw.ms.toFixed(0)} ms`, '1.00x', `${raw.peakMb.toFixed(0)} MB`],
			['Altinn node, Return All', node.value, nodePages, `${node.ms.toFixed(0)} ms`, ratio(node.ms, raw.ms), `${node.peakMb.toFixed(0)} MB`],
		],
	);
	expectCount('instances returned by the raw loop', raw.value, count);
	expectCount('instances returned', node.value, count);
	// Storage links a next page whenever a page is full, so a multiple of the page size costs one
	// empty page more; the raw loop pays it too.
	expectCount('pages requested by the node', nodePages, Math.floor(count / RETURN_ALL_PAGE_SIZE) + 1);
	expectCount('pages requested by the node, against the raw loop', nodePages, rawPages);
}
