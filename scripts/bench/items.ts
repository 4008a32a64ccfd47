/* eslint-disable no-console */
/**
 * Case 2: N "get instance" items. Anchor: a raw sequential `fetch` loop with one token. Against
 * it: the Altinn node with its defaults, with Batching 10, and a sweep of the default
 * concurrency (how `CONCURRENCY.reads` was chosen).
 */
import { CONCURRENCY } from '../../nodes/Altinn/actions/router';
import { getInstance, instanceItems, runNode, storedToken, type AltinnEnv } from './env';
import { expectCount, measure, median, ratio, table } from './measure';

async function rawLoop(env: AltinnEnv, count: number): Promise<void> {
	const token = storedToken(env);
	const url = `${env.emu.url}/storage/api/v1/instances/${env.seed.instances.active}`;
	for (let i = 0; i < count; i++) {
		const res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
		if (!res.ok) throw new Error(`raw loop: ${res.status}`);
		await res.json();
	}
}

const ROUNDS = 3;

const batching = (batchSize: number) => ({ ...getInstance, requestOptions: { batching: { batch: { batchSize, batchInterval: 0 } } } });

export async function benchItems(env: AltinnEnv, cases: Array<{ count: number; latencyMs: number }>, sweep: number[]): Promise<void> {
	console.log('\n2. "Get instance" items, time against a raw sequential fetch loop with one token');
	await runNode(env, getInstance, instanceItems(env, 20)); // warm-up and a stored token
	const rows: string[][] = [];
	for (const { count, latencyMs } of cases) {
		env.emu.knobs.latencyMs = latencyMs;
		// Three interleaved rounds, median of each: the machine's load drifts while the bench runs.
		const times = { raw: [] as number[], defaults: [] as number[], batched: [] as number[] };
		let peak = 0;
		let requests = 0;
		for (let round = 0; round < ROUNDS; round++) {
			times.raw.push((await measure(async () => await rawLoop(env, count))).ms);
			env.emu.counters.reset();
			times.defaults.push((await measure(async () => await runNode(env, getInstance, instanceItems(env, count)))).ms);
			peak = Math.max(peak, env.emu.counters.get('peak.inFlight'));
			requests = env.emu.counters.get('route.storage.instance.get');
			times.batched.push((await measure(async () => await runNode(env, batching(10), instanceItems(env, count)))).ms);
		}
		const raw = median(times.raw);
		rows.push([
			`${count} items, ${latencyMs} ms latency`,
			`${raw.toFixed(0)} ms`,
			ratio(median(times.defaults), raw),
			ratio(median(times.batched), raw),
		]);
		expectCount(`requests for ${count} items (defaults)`, requests, count);
		expectCount(`items in flight at most (defaults, ${count} items)`, peak, { max: CONCURRENCY.reads });
	}
	env.emu.knobs.latencyMs = 0;
	table(['case', 'raw fetch loop (anchor)', 'Altinn node, defaults', 'Altinn node, batching 10'], rows);

	if (sweep.length === 0) return;
	const sweepCount = 300;
	console.log(`\n   Default concurrency sweep: ${sweepCount} items, 20 ms latency (time against 1 at a time)`);
	env.emu.knobs.latencyMs = 20;
	const saved = CONCURRENCY.reads;
	const times: number[] = [];
	for (const n of sweep) {
		CONCURRENCY.reads = n;
		times.push((await measure(async () => await runNode(env, getInstance, instanceItems(env, sweepCount)))).ms);
	}
	CONCURRENCY.reads = saved;
	env.emu.knobs.latencyMs = 0;
	table(['items in flight', ...sweep.map(String)], [['time', ...times.map((ms) => ratio(ms, times[0]))]]);
}
