/**
 * Concurrency by default, with manners: read-only operations run several items at a time,
 * writes one at a time in input order, a 429's Retry-After holds every item in flight, and the
 * output keeps the input order with its pairedItem. Counts at the emulator, never times.
 */
import { CONCURRENCY } from '../nodes/Altinn/actions/router';
import { Pacing } from '../nodes/Altinn/transport/pacing';
import { RETRY } from '../nodes/Altinn/transport/request';
import { useAltinnEnv } from './support/altinnNode';

const env = useAltinnEnv();
const savedDelay = RETRY.baseDelayMs;

beforeAll(() => {
	RETRY.baseDelayMs = 10;
});

afterAll(() => {
	RETRY.baseDelayMs = savedDelay;
});

afterEach(() => {
	env.emu.faults.clear();
	env.emu.knobs.latencyMs = 0;
});

const get = { resource: 'instance', operation: 'get', instanceId: '={{ $json.id }}' };
const peakInFlight = () => env.emu.counters.get('peak.inFlight');

function instanceIds(count: number): string[] {
	const { seed } = env;
	const pool = [seed.instances.active, seed.instances.archived, seed.instances.awaitingConfirmation, seed.instances.archivedConfirmed];
	return Array.from({ length: count }, (_, i) => pool[i % pool.length]);
}

async function warmToken(): Promise<void> {
	const { error } = await env.run({ ...get, instanceId: env.seed.instances.active });
	expect(error).toBeUndefined();
}

describe('read-only operations', () => {
	it(`run ${CONCURRENCY.reads} items at a time by default, and keep output order and pairedItem`, async () => {
		await warmToken();
		const ids = instanceIds(40);
		env.emu.knobs.latencyMs = 30;
		env.emu.counters.reset();
		const { items, error } = await env.run(get, { items: ids.map((id) => ({ json: { id } })) });
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.id)).toEqual(ids);
		expect(items.map((i) => (i.pairedItem as { item: number }).item)).toEqual(ids.map((_, i) => i));
		expect(env.emu.counters.get('route.storage.instance.get')).toBe(40);
		expect(peakInFlight()).toBe(CONCURRENCY.reads);
	});

	it('hold every item in flight during a Retry-After, not only the one that got it', async () => {
		await warmToken();
		// Enough items that, without the shared pause, the others would go on during it.
		const ids = instanceIds(400);
		env.emu.knobs.latencyMs = 30;
		env.emu.faults.add({ route: 'storage.instance.get', status: 429, headers: { 'Retry-After': '2' }, after: 10 });
		env.emu.counters.reset();
		const { items, error } = await env.run(get, { items: ids.map((id) => ({ json: { id } })) });
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.id)).toEqual(ids);

		const arrivals = env.emu.counters.arrivals.filter((a) => a.route === 'storage.instance.get');
		const fault = arrivals.find((a) => a.fault);
		expect(fault).toBeDefined();
		// Requests already on the wire when the 429 came back may still arrive (a latency's worth,
		// plus event-loop delay on a busy machine); after that, none until Retry-After has passed.
		const during = arrivals.filter((a) => a.at > fault!.at + 500 && a.at < fault!.at + 1950);
		expect(during).toHaveLength(0);
		expect(arrivals).toHaveLength(400 + 1);
		const after = arrivals.filter((a) => a.at >= fault!.at + 1950);
		expect(after.length).toBeGreaterThan(200);
	});

	it('follow the Batching setting when the user sets it', async () => {
		await warmToken();
		env.emu.knobs.latencyMs = 20;
		env.emu.counters.reset();
		const ids = instanceIds(9);
		const { items, error } = await env.run(
			{ ...get, requestOptions: { batching: { batch: { batchSize: 3, batchInterval: 0 } } } },
			{ items: ids.map((id) => ({ json: { id } })) },
		);
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.id)).toEqual(ids);
		expect(peakInFlight()).toBe(3);
	});

	it('report the failure of the first failing item, whichever response came back first', async () => {
		await warmToken();
		const ids = instanceIds(10);
		ids[3] = '50001337/00000000-0000-4000-8000-000000000003';
		ids[6] = '50001337/00000000-0000-4000-8000-000000000006';
		const { error } = await env.run(get, { items: ids.map((id) => ({ json: { id } })) });
		expect(error?.message).toContain('00000000-0000-4000-8000-000000000003');
	});
});

describe('writes', () => {
	it('run one item at a time, in input order', async () => {
		await warmToken();
		const id = env.seed.instances.active;
		const labels = Array.from({ length: 6 }, (_, i) => `step-${i}`);
		env.emu.knobs.latencyMs = 20;
		env.emu.counters.reset();
		const { items, error } = await env.run(
			{ resource: 'instance', operation: 'setSubstatus', instanceId: id, label: '={{ $json.label }}' },
			{ items: labels.map((label) => ({ json: { label } })) },
		);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(6);
		expect(peakInFlight()).toBe(1);
		expect(items.map((i) => (i.json.status as { substatus?: { label?: string } })?.substatus?.label)).toEqual(labels);
	});
});

describe('pacing', () => {
	it('halves the items in flight on a slow-down and adds one back after as many successes', () => {
		const pacing = new Pacing(8);
		pacing.slowDown(0);
		expect(pacing.limit).toBe(4);
		pacing.slowDown(0);
		expect(pacing.limit).toBe(2);
		pacing.succeeded();
		expect(pacing.limit).toBe(2);
		pacing.succeeded();
		expect(pacing.limit).toBe(3);
		for (let i = 0; i < 100; i++) pacing.succeeded();
		expect(pacing.limit).toBe(8);
		for (let i = 0; i < 10; i++) pacing.slowDown(0);
		expect(pacing.limit).toBe(1);
	});
});
