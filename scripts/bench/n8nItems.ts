/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console -- a bench script, not node code: it spawns the raw loop's process */
/**
 * Case 6: "get instance" items in a real n8n (the e2e suite's cached 2.41.1), with n8n's own HTTP
 * Request node side by side: Webhook → Code node making N items → the node under test (one
 * branch per node). Each node's time is n8n's own `executionTime` of its run, so n8n's start-up,
 * the webhook call and saving the execution are not in it.
 *
 * Anchor: a raw sequential `fetch` loop with one token, in a Node process of its own
 * (rawFetchLoop.mjs), against the same emulator. Not inside n8n: the Code node's sandbox (task
 * runner, @n8n/task-runner js-task-runner `getNativeVariables`) offers no `fetch`. Not in the bench
 * process either: the emulator runs there, and n8n's nodes do not share its event loop.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

import { getAccessToken, type HttpCall } from '../../credentials/maskinporten';
import { CONCURRENCY } from '../../nodes/Altinn/actions/router';
import { startDemoEmulator, type DemoEmulator } from '../n8n/demo';
import { expectCount, median, ratio, table } from './measure';
import { n8nInstalled, startBenchN8n, type BenchN8n, type ExecutionResult } from './realN8n';

const ROUNDS = 3;
/** Untimed requests before the raw loop's timed ones (its process is fresh; n8n is warm). */
const RAW_WARMUP = 10;
const WARMUP_ITEMS = 20;
const CRED = { id: 'benchAltinnCred1', name: 'Maskinporten (bench)', type: 'maskinportenApi' };
const credentials = { maskinportenApi: { id: CRED.id, name: CRED.name } };

const getInstance = { resource: 'instance', operation: 'get', instanceId: '={{ $json.id }}' };

/** The nodes under test; each one's label is its name in the workflow and its column in the table. */
const NODES = [
	{
		key: 'http',
		label: 'HTTP Request node (predefined credential maskinportenApi)',
		// typeVersion 4.5: what n8n 2.41 adds to a new workflow. Its defaults send every item's request at once.
		node: (emuUrl: string) => ({
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.5,
			parameters: {
				url: `=${emuUrl}/storage/api/v1/instances/{{ $json.id }}`,
				authentication: 'predefinedCredentialType',
				nodeCredentialType: 'maskinportenApi',
				options: {},
			},
		}),
	},
	{
		key: 'defaults',
		label: 'Altinn node, defaults',
		node: () => ({ type: 'n8n-nodes-altinn.altinn', typeVersion: 1, parameters: getInstance }),
	},
	{
		key: 'batched',
		label: 'Altinn node, batching 10',
		node: () => ({
			type: 'n8n-nodes-altinn.altinn',
			typeVersion: 1,
			parameters: { ...getInstance, requestOptions: { batching: { batch: { batchSize: 10, batchInterval: 0 } } } },
		}),
	},
] as const;

type NodeKey = (typeof NODES)[number]['key'];
type NodeSpec = (typeof NODES)[number];
const WORKFLOW_ID = 'benchGetInstance';
const webhookPath = (spec: NodeSpec) => `bench-${spec.key}`;

/**
 * One workflow (one `publish:workflow`, each costs an n8n start-up) with an entry per node under
 * test: Webhook → Code node making N items → the node. A call to one webhook runs its branch only.
 */
function benchWorkflow(emuUrl: string) {
	const connections: Record<string, unknown> = {};
	const nodes = NODES.flatMap((spec, row) => {
		const y = row * 200;
		connections[`${spec.label} Webhook`] = { main: [[{ node: `${spec.label} Items`, type: 'main', index: 0 }]] };
		connections[`${spec.label} Items`] = { main: [[{ node: spec.label, type: 'main', index: 0 }]] };
		return [
			{
				id: `${spec.key}-1`,
				name: `${spec.label} Webhook`,
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, y],
				webhookId: `0000000${row}-0000-4000-8000-000000000000`,
				// "lastNode": the call returns when the execution has finished; no data back
				parameters: { httpMethod: 'POST', path: webhookPath(spec), responseMode: 'lastNode', responseData: 'noData', options: {} },
			},
			{
				id: `${spec.key}-2`,
				name: `${spec.label} Items`,
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, y],
				parameters: { jsCode: 'const { count, id } = $input.first().json.body;\nreturn Array.from({ length: count }, () => ({ json: { id } }));' },
			},
			{ id: `${spec.key}-3`, name: spec.label, position: [440, y], credentials, ...spec.node(emuUrl) },
		];
	});
	return { id: WORKFLOW_ID, name: 'Bench: get instance items', active: false, settings: { executionOrder: 'v1' }, connections, nodes };
}

/** The raw loop in its own process; returns the time of the timed requests. */
async function rawLoop(url: string, count: number, token: string): Promise<number> {
	const child = spawn(process.execPath, [path.join(__dirname, 'rawFetchLoop.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
	let out = '';
	let err = '';
	child.stdout.on('data', (d: Buffer) => (out += String(d)));
	child.stderr.on('data', (d: Buffer) => (err += String(d)));
	child.stdin.end(JSON.stringify({ url, count, warmup: RAW_WARMUP, token }));
	const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
	if (code !== 0) throw new Error(`raw fetch loop exited with ${code}: ${err.trim().split('\n').slice(-3).join(' ')}`);
	return (JSON.parse(out) as { ms: number }).ms;
}

/** The grant and exchange the raw loop's one token costs, made with the credential's own code over `fetch`. */
const fetchCall: HttpCall = async (request) => {
	const res = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body });
	return { statusCode: res.status, body: await res.text() };
};

/** The node under test's run: its time and how many of its items are the requested instance. */
function underTest(result: ExecutionResult, instanceId: string, what: string): { ms: number; matching: number } {
	const run = result.runData[what]?.[0];
	if (!run) throw new Error(`${what}: the node did not run (execution ${result.status})`);
	if (run.error) throw new Error(`${what}: ${run.error.message} ${run.error.description ?? ''}`);
	const items = run.data?.main?.[0] ?? [];
	return { ms: run.executionTime, matching: items.filter((item) => item.json.id === instanceId).length };
}

/** `install`: install the e2e n8n when it is missing (minutes); otherwise skip the case then. */
export async function benchN8nItems(cases: Array<{ count: number; latencyMs: number }>, { install }: { install: boolean }): Promise<void> {
	console.log('\n6. "Get instance" items in a real n8n, time against a raw sequential fetch loop with one token');
	if (!install && !n8nInstalled()) {
		console.log('   skipped: the e2e n8n is not installed (`node scripts/n8n/ensure-n8n.mjs` installs it, or run `npm run bench -- --n8n-only`)');
		return;
	}
	const demo: DemoEmulator = await startDemoEmulator();
	let n8n: BenchN8n | undefined;
	try {
		const emu = demo.emu;
		const instanceId = demo.info.seed.instances.active;
		const url = `${emu.url}/storage/api/v1/instances/${instanceId}`;
		n8n = await startBenchN8n({
			credentials: [{ ...CRED, data: demo.credentialData }],
			workflows: [benchWorkflow(emu.url)],
		});
		const runNode = async (spec: NodeSpec, count: number) =>
			underTest(await n8n!.run(WORKFLOW_ID, webhookPath(spec), { count, id: instanceId }), instanceId, spec.label);
		const count = (name: string) => emu.counters.get(name);

		// Warm-up, the HTTP Request node first on the fresh credential: its items are the instance only if its
		// requests carried a valid Altinn token, which takes one grant and one exchange through the credential.
		emu.counters.reset();
		const warm = await runNode(NODES[0], WARMUP_ITEMS);
		expectCount('instances the HTTP Request node read with the predefined credential (warm-up)', warm.matching, WARMUP_ITEMS);
		expectCount('grants for the HTTP Request node on a fresh credential', count('maskinporten.grants'), 1);
		expectCount('exchanges for the HTTP Request node on a fresh credential', count('authentication.exchanges'), 1);
		for (const spec of NODES.slice(1)) await runNode(spec, WARMUP_ITEMS);
		const token = (await getAccessToken(fetchCall, demo.credentialData)).token;

		const rows: string[][] = [];
		const peaks: string[][] = [];
		for (const { count: items, latencyMs } of cases) {
			emu.knobs.latencyMs = latencyMs;
			const times: Record<'raw' | NodeKey, number[]> = { raw: [], http: [], defaults: [], batched: [] };
			const requests: Record<'raw' | NodeKey, number> = { raw: 0, http: 0, defaults: 0, batched: 0 };
			const matching: Record<NodeKey, number> = { http: 0, defaults: 0, batched: 0 };
			const peak: Record<'raw' | NodeKey, number> = { raw: 0, http: 0, defaults: 0, batched: 0 };
			const tokens = { grants: 0, exchanges: 0 };
			const order = ['raw', ...NODES.map((spec) => spec.key)] as Array<'raw' | NodeKey>;
			for (let round = 0; round < ROUNDS; round++) {
				// Interleaved, and each round starts with another one: the machine's load drifts, and no
				// contestant should always come first.
				for (const key of [...order.slice(round % order.length), ...order.slice(0, round % order.length)]) {
					emu.counters.reset();
					if (key === 'raw') {
						times.raw.push(await rawLoop(url, items, token));
					} else {
						const result = await runNode(NODES.find((spec) => spec.key === key)!, items);
						times[key].push(result.ms);
						matching[key] += result.matching;
					}
					requests[key] += count('route.storage.instance.get');
					peak[key] = Math.max(peak[key], count('peak.inFlight'));
					tokens.grants += count('maskinporten.grants');
					tokens.exchanges += count('authentication.exchanges');
				}
			}
			const raw = median(times.raw);
			const cell = (key: NodeKey) => `${ratio(median(times[key]), raw)} (${median(times[key]).toFixed(0)} ms)`;
			rows.push([`${items} items, ${latencyMs} ms latency`, `1.00x (${raw.toFixed(0)} ms)`, cell('http'), cell('defaults'), cell('batched')]);
			peaks.push([`${items} items, ${latencyMs} ms latency`, String(peak.raw), String(peak.http), String(peak.defaults), String(peak.batched)]);
			expectCount(`requests of the raw loop, ${ROUNDS} rounds of ${items} items (+${RAW_WARMUP} warm-up each)`, requests.raw, ROUNDS * (items + RAW_WARMUP));
			for (const spec of NODES) {
				expectCount(`requests, ${spec.label}, ${ROUNDS} rounds of ${items} items`, requests[spec.key], ROUNDS * items);
				expectCount(`items that are the instance, ${spec.label}`, matching[spec.key], ROUNDS * items);
			}
			expectCount(`grants while measuring ${items} items (the stored token serves every node)`, tokens.grants, 0);
			expectCount(`exchanges while measuring ${items} items`, tokens.exchanges, 0);
			expectCount(`Altinn node requests in flight at most (defaults, ${items} items)`, peak.defaults, { max: CONCURRENCY.reads });
		}
		emu.knobs.latencyMs = 0;
		console.log(`   median of ${ROUNDS} interleaved rounds; the nodes' times are n8n's executionTime; the raw loop runs in a Node process of its own`);
		table(['case', 'raw sequential fetch loop, one token (anchor)', ...NODES.map((spec) => spec.label)], rows);
		console.log('\n   Requests in flight at the emulator, at most:');
		table(['case', 'raw loop', ...NODES.map((spec) => spec.label)], peaks);
	} finally {
		await n8n?.stop();
		await demo.emu.close();
	}
}
