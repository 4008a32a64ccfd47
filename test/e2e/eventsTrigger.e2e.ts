/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * The Altinn Events Trigger in a real n8n (`n8n start`, webhook URL on loopback): activation creates
 * the subscription at the emulator, the emulator pushes events, each event starts the workflow exactly
 * once, and deactivation deletes the subscription. Along the way it measures, in the same run, the
 * time from an event published at the emulator to the workflow starting, for push and for the
 * polling Altinn Trigger (App events, polled every 10 s), and prints the medians.
 */
import { startDemoEmulator, type DemoEmulator } from '../../scripts/n8n/demo';
import { N8n, pollEvery, sleep, waitFor, type RestClient } from './support';

const CRED = { id: 'e2eEventsCred01', name: 'Maskinporten demo (emulator)', type: 'maskinportenApi' };
const credRef = { maskinportenApi: { id: CRED.id, name: CRED.name } };
const PUSH_WF = 'e2eEventsPush01';
const POLL_WF = 'e2eEventsPoll01';
const COMPLETED = 'app.instance.process.completed';
const EVENTS = 50;

let demo: DemoEmulator;
let n8n: N8n;
let rest: RestClient;

function pushWorkflow(org: string, app: string) {
	return {
		id: PUSH_WF,
		name: 'E2E: Altinn Events Trigger',
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { 'Altinn Events Trigger': { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
		nodes: [
			{
				id: 'p1',
				name: 'Altinn Events Trigger',
				type: 'n8n-nodes-altinn.altinnEventsTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: '5f0c3c1e-8c1b-4f0e-9a51-0e2e0e2e0e2e',
				parameters: { org, app, typeFilter: COMPLETED },
				credentials: credRef,
			},
			{ id: 'p2', name: 'Received', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
	};
}

function pollWorkflow(org: string, app: string) {
	return {
		id: POLL_WF,
		name: 'E2E: Altinn Trigger (App events) for comparison',
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { 'Altinn Trigger': { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
		nodes: [
			{
				id: 'q1',
				name: 'Altinn Trigger',
				type: 'n8n-nodes-altinn.altinnTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: pollEvery(10), source: 'appEvents', org, app, eventTypes: ['completed'], startFrom: 'now' },
				credentials: credRef,
			},
			{ id: 'q2', name: 'Received', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
	};
}

interface Execution {
	id: string;
	status: string;
	startedAt: string;
}

async function executions(workflowId: string): Promise<Execution[]> {
	const all: Execution[] = [];
	let lastId: string | undefined;
	for (;;) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const page = (await rest.ok('GET', `/rest/executions?filter=${filter}&limit=100${lastId ? `&lastId=${lastId}` : ''}`)) as { results: Execution[] };
		all.push(...page.results);
		if (page.results.length < 100) return all;
		lastId = page.results[page.results.length - 1].id;
	}
}

/** Event ids in one execution's data (n8n stores it flattened; the ids are plain strings in it). */
async function eventIdsIn(executionId: string, ids: string[]): Promise<string[]> {
	const detail = (await rest.ok('GET', `/rest/executions/${executionId}`)) as { data: string };
	return ids.filter((id) => String(detail.data).includes(id));
}

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

beforeAll(async () => {
	demo = await startDemoEmulator();
	// Retries 10× faster than Altinn's (the handshake still has ~47 s to reach n8n); no subscription cache; n8n serves plain http on loopback.
	Object.assign(demo.emu.knobs, { pushTimeScale: 0.1, subscriptionCacheMs: 0, allowHttpEndpoints: true });
	n8n = new N8n();
	await n8n.init();
	await n8n.importCredentials([{ ...CRED, data: demo.credentialData }]);
	await n8n.importWorkflows([pushWorkflow(demo.info.org, demo.info.app), pollWorkflow(demo.info.org, demo.info.app)]);
	for (const id of [PUSH_WF, POLL_WF]) {
		const published = await n8n.cli(['publish:workflow', `--id=${id}`]);
		if (published.code !== 0) throw new Error(`publish:workflow failed: ${published.stdout}${published.stderr}`);
	}
	rest = await n8n.start();
}, 300_000);

afterAll(async () => {
	await n8n?.stop();
	await demo?.emu.close();
});

const subscriptions = () => [...demo.emu.subscriptions.subscriptions.values()];

describe('Altinn Events Trigger in n8n', () => {
	it('activation creates one validated subscription to the workflow’s production URL', async () => {
		const [sub] = await waitFor(() => (subscriptions().some((s) => s.validated) ? subscriptions() : undefined), 60_000, 'a validated subscription');
		expect(subscriptions()).toHaveLength(1);
		expect(sub).toMatchObject({ resourceFilter: `urn:altinn:resource:app_${demo.info.org}_${demo.info.app}`, typeFilter: COMPLETED, consumer: `/org/${demo.info.org}` });
		expect(sub.endPoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook\/5f0c3c1e-8c1b-4f0e-9a51-0e2e0e2e0e2e\/[A-Za-z0-9_-]{32}$/);
		expect(await executions(PUSH_WF)).toHaveLength(0); // the handshake started nothing
	}, 120_000);

	it(`${EVENTS} pushed events start the workflow exactly once each; push vs poll latency`, async () => {
		// Let the polling trigger's first scheduled poll pass, so its cursor is set before we publish.
		await waitFor(() => demo.emu.counters.get('route.events.app.query') >= 2, 60_000, 'the first scheduled poll');
		const appId = `${demo.info.org}/${demo.info.app}`;
		const published = new Map<string, number>();
		// One event at a time: publish, then wait until the push workflow has started for it, so the
		// figure is the reaction time and not this (shared, 2-core) machine's throughput.
		for (let i = 0; i < EVENTS; i++) {
			const at = Date.now();
			const event = demo.emu.world.addAppEvent(appId, { type: COMPLETED });
			published.set(event.id, at);
			await waitFor(async () => (await executions(PUSH_WF)).length > i, 30_000, `the push execution for event ${i + 1}`, 25);
		}
		const ids = [...published.keys()];
		const pushed = await waitFor(async () => {
			const e = await executions(PUSH_WF);
			return e.length >= EVENTS ? e : undefined;
		}, 120_000, `${EVENTS} executions of the push workflow`);
		await demo.emu.subscriptions.idle();
		await sleep(2000); // a duplicate would show up now
		const pushRuns = await executions(PUSH_WF);
		expect(pushRuns).toHaveLength(EVENTS);
		expect(pushRuns.every((e) => e.status === 'success')).toBe(true);

		const pushLatency: number[] = [];
		const seen = new Map<string, number>();
		for (const run of pushed) {
			const found = await eventIdsIn(run.id, ids);
			expect(found).toHaveLength(1);
			seen.set(found[0], (seen.get(found[0]) ?? 0) + 1);
			pushLatency.push(Date.parse(run.startedAt) - published.get(found[0])!);
		}
		expect([...seen.values()].every((n) => n === 1)).toBe(true);
		expect(seen.size).toBe(EVENTS);

		// The polling trigger: every event once, in one of its executions.
		const polled = await waitFor(async () => {
			const runs = await executions(POLL_WF);
			let covered = 0;
			const latency: number[] = [];
			for (const run of runs) {
				for (const id of await eventIdsIn(run.id, ids)) {
					covered++;
					latency.push(Date.parse(run.startedAt) - published.get(id)!);
				}
			}
			return covered >= EVENTS ? latency : undefined;
		}, 90_000, 'the polling trigger to emit every event', 2000);
		expect(polled).toHaveLength(EVENTS);

		const attempts = demo.emu.subscriptions.attempts.filter((a) => published.has(a.eventId));
		const statuses = attempts.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
		process.stderr.write(
			`[e2e] push attempts by status: ${JSON.stringify(statuses)}\n` +
			`[e2e] publish → workflow start, median over ${EVENTS} events: push ${median(pushLatency)} ms (min ${Math.min(...pushLatency)}, max ${Math.max(...pushLatency)}); ` +
				`poll every 10 s ${median(polled)} ms (min ${Math.min(...polled)}, max ${Math.max(...polled)})\n`,
		);
	}, 300_000);

	it('deactivation deletes the subscription', async () => {
		const id = subscriptions()[0].id;
		const res = await rest.call('POST', `/rest/workflows/${PUSH_WF}/deactivate`, {});
		expect(res.status).toBe(200);
		await waitFor(() => !demo.emu.subscriptions.subscriptions.has(id), 30_000, 'the subscription to be deleted');
		expect(subscriptions()).toHaveLength(0);
	}, 60_000);
});
