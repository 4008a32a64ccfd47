/* eslint-disable */
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { CONCURRENCY } from '../nodes/Altinn/actions/router';
import { startAltinnEnv } from '../test/support/altinnNode';
async function main() {
	const env = await startAltinnEnv();
	const id = env.seed.instances.active;
	const items = (n: number) => Array.from({ length: n }, () => ({ json: { id } }));
	const get = { resource: 'instance', operation: 'get', instanceId: '={{ $json.id }}' };
	await env.run(get, { items: items(50) });
	const token = env.credentials.getStoredData('cred-1').accessToken as string;
	const url = `${env.emu.url}/storage/api/v1/instances/${id}`;
	const N = Number(process.env.N ?? 1000);
	for (const lat of (process.env.LAT ?? '0').split(',').map(Number)) {
		env.emu.knobs.latencyMs = lat;
		let t = performance.now();
		for (let i = 0; i < N; i++) { const r = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }); await r.json(); }
		const raw = performance.now() - t;
		const line = [`lat ${lat} N ${N} raw ${raw.toFixed(0)}ms`];
		for (const c of (process.env.C ?? '').split(',').filter(Boolean).map(Number)) {
			CONCURRENCY.reads = c; const params = get;
			const session = new Session(); session.connect();
			if (process.env.PROF) { await session.post('Profiler.enable'); await session.post('Profiler.start'); }
			t = performance.now();
			const r = await env.run(params, { items: items(N) });
			if (process.env.PROF) { const { profile } = await session.post('Profiler.stop'); writeFileSync(process.env.PROF, JSON.stringify(profile)); }
			if (r.error) throw new Error(r.error.message);
			const ms = performance.now() - t;
			line.push(`pool${c} ${ms.toFixed(0)}ms ${(ms / raw).toFixed(2)}x`);
		}
		console.log(line.join(' | '));
	}
	await env.close();
}
main();
