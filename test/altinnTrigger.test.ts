/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * The Altinn Trigger through n8n-core's real PollContext (harness `Poller`) against the emulator.
 * Every test tracks what was emitted over the whole run and asserts: nothing lost, nothing twice.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { MaskinportenApi } from '../credentials/MaskinportenApi.credentials';
import { Altinn } from '../nodes/Altinn/Altinn.node';
import { RETRY } from '../nodes/Altinn/transport/request';
import { AltinnTrigger } from '../nodes/AltinnTrigger/AltinnTrigger.node';
import { environmentKey } from '../nodes/AltinnTrigger/cursor';
import { startEmulator, type Emulator } from './emulator';
import { EVENTS_REGISTRATION_DELAY_MS } from './emulator/events';
import type { RegisteredJwk } from './emulator/maskinporten';
import { demoApps, DIGDIR, TTD } from './emulator/seed';
import type { InstanceRecord } from './emulator/state';
import { Poller, runWorkflow, TestCredentialsHelper, TestNodeTypes, type PollResult } from './harness';
import { emulatorJwkCredential } from './support/credentials';
import { testKey } from './support/keys';

const NODE = 'Altinn Trigger';
const DEMO = 'ttd/demo-app'; // publishes events
const QUIET = 'ttd/quiet-app'; // does not

let emu: Emulator;
/** A second environment ("production") with the same apps, for the environment switch. */
let prod: Emulator;
let credentials: TestCredentialsHelper;
let partyId: number;

const savedDelay = RETRY.baseDelayMs;
/** A read that fails for good: a 500 on every attempt (a GET retries a single 500, as Storage's are often transient). */
const FOR_GOOD = RETRY.maxAttempts;
const READ_WRITE = ['altinn:serviceowner/instances.read', 'altinn:serviceowner/instances.write'];

beforeAll(async () => {
	RETRY.baseDelayMs = 10;
	emu = await startEmulator();
	prod = await startEmulator();
	const key = testKey('trigger-key');
	for (const env of [emu, prod]) {
		env.world.addServiceOwner(TTD);
		env.world.addServiceOwner(DIGDIR);
		partyId = env.world.addParty({ orgNumber: '310000001', name: 'TESTBEDRIFT AS' }).partyId;
		for (const app of demoApps()) env.world.addApplication(app);
		env.maskinporten.registerClient({ clientId: 'trigger-client', orgNumber: TTD.orgNumber, scopes: READ_WRITE, jwks: [key.publicJwk as RegisteredJwk] });
	}
	emu.maskinporten.registerClient({ clientId: 'write-only-client', orgNumber: TTD.orgNumber, scopes: ['altinn:serviceowner/instances.write'], jwks: [key.publicJwk as RegisteredJwk] });
	const data = (env: Emulator, clientId: string, scopes: string) =>
		emulatorJwkCredential(env, key, clientId, scopes, { algorithm: 'RS256', exchangeToAltinn: true });
	credentials = new TestCredentialsHelper(
		[new MaskinportenApi()],
		[
			{ id: 'cred-1', name: 'Maskinporten', type: 'maskinportenApi', data: data(emu, 'trigger-client', READ_WRITE.join(' ')) },
			{ id: 'cred-prod', name: 'Maskinporten production', type: 'maskinportenApi', data: data(prod, 'trigger-client', READ_WRITE.join(' ')) },
			{ id: 'cred-write', name: 'Write only', type: 'maskinportenApi', data: data(emu, 'write-only-client', 'altinn:serviceowner/instances.write') },
		],
	);
});

afterAll(async () => {
	RETRY.baseDelayMs = savedDelay;
	for (const env of [emu, prod]) {
		env.world.dispose?.();
		await env.close();
	}
});

afterEach(() => emu.faults.clear());

/** Deletes every instance and event of an app, so each test starts from an empty app. */
function emptyApp(appId: string) {
	for (const [id, rec] of emu.world.instances) if (rec.instance.appId === appId) emu.world.instances.delete(id);
	emu.world.appEvents.set(appId, []);
}

interface PollerOptions {
	staticData?: IDataObject;
	credential?: string;
	mode?: 'trigger' | 'manual';
	budgetMs?: number;
	durable?: boolean;
	timezone?: string;
	/** Keep Events' 30-second window; otherwise that much time passes before each poll (see `eventsSettle`). */
	eventsWindow?: boolean;
}

function poller(parameters: INodeParameters, opts: PollerOptions = {}) {
	const p = new Poller({
		node: { name: NODE, type: 'n8n-nodes-altinn.altinnTrigger', parameters, credentials: { maskinportenApi: opts.credential ?? 'cred-1' } },
		nodeType: new AltinnTrigger(),
		credentials,
		staticData: opts.staticData,
		mode: opts.mode ?? 'trigger',
		pollBudgetMs: opts.budgetMs,
		durableCursor: opts.durable,
		timezone: opts.timezone,
	});
	if (!opts.eventsWindow) {
		const poll = p.poll.bind(p);
		p.poll = async () => {
			eventsSettle();
			return await poll();
		};
	}
	return p;
}

/** Every key emitted over a run; `add` fails the test on the first duplicate. */
class Tracker {
	readonly seen = new Set<string>();
	readonly duplicates: string[] = [];
	/** Keys emitted as redeliveries (`redelivered: true`): the only repeats allowed. */
	readonly redelivered = new Set<string>();
	polls = 0;
	emptyPolls = 0;

	take(result: PollResult, key: (json: IDataObject) => string): IDataObject[] {
		this.polls++;
		if (result.error) throw result.error;
		if (!result.emitted) this.emptyPolls++;
		for (const json of result.json) {
			const k = key(json);
			if (json.redelivered === true) this.redelivered.add(k);
			if (this.seen.has(k)) this.duplicates.push(k);
			this.seen.add(k);
		}
		return result.json;
	}
}

const changeKey = (json: IDataObject) => `${String(json.instanceId)}@${String(json.lastChanged)}`;
const eventKey = (json: IDataObject) => String(json.eventId);
const keyOfRecord = (rec: InstanceRecord) => `${rec.instance.id}@${rec.instance.lastChanged as string}`;

function create(appId: string, at: number, extra: Record<string, unknown> = {}): InstanceRecord {
	return emu.world.createInstance({ appId, partyId, created: at, lastChanged: at, ...extra });
}

/** Events' 30-second window passes: every event published so far becomes visible to the feed. */
function eventsSettle() {
	for (const env of [emu, prod]) for (const app of [DEMO, QUIET]) env.world.ageEvents(app, EVENTS_REGISTRATION_DELAY_MS);
}

/**
 * A change the workflow does not make itself (here: a new due date), so the trigger emits it again;
 * a change of `lastChanged` alone, or of the fields a workflow writes, is passed over (selfChanges.ts).
 */
function changeInstance(rec: InstanceRecord, at: number) {
	rec.instance.dueBefore = new Date(at + 86_400_000).toISOString();
	emu.world.setLastChanged(rec, at);
}

/** Polls until a poll emits nothing, restarting from the persisted static data after every poll when asked. */
async function drainAll(p: Poller, tracker: Tracker, key: (json: IDataObject) => string, restart = false, maxPolls = 200) {
	for (let i = 0; i < maxPolls; i++) {
		const result = await p.poll();
		tracker.take(result, key);
		if (!result.emitted) return result;
		if (restart) p.restart();
	}
	throw new Error('did not catch up');
}

const instanceParams = (extra: INodeParameters = {}): INodeParameters => ({
	source: 'instanceChanges',
	org: 'ttd',
	app: 'quiet-app',
	startFrom: 'time',
	startTime: '2020-01-01T00:00:00Z',
	onlyCompleted: false,
	notConfirmed: false,
	...extra,
});

describe('Instance changes', () => {
	beforeEach(() => emptyApp(QUIET));

	it('emits every change once across interleaved polls, same-timestamp bursts crossing the item cap, and restarts', async () => {
		const base = Date.now() - 3600_000;
		const p = poller(instanceParams({ options: { maxItems: 4 } }));
		const tracker = new Tracker();
		const expected = new Set<string>();
		const add = (rec: InstanceRecord) => expected.add(keyOfRecord(rec));

		for (let i = 0; i < 5; i++) add(create(QUIET, base + i * 1000));
		await drainAll(p, tracker, changeKey, true);
		// A burst of 9 instances changed in the very same millisecond, larger than the item cap.
		const burstAt = base + 10_000;
		for (let i = 0; i < 9; i++) add(create(QUIET, burstAt));
		for (let i = 0; i < 3; i++) add(create(QUIET, base + 20_000 + i));
		await drainAll(p, tracker, changeKey, true);
		// A change that becomes visible only after the cursor has passed its time (a late commit).
		const late = keyOfRecord(create(QUIET, base + 9000));
		// A change to an instance already emitted is a new change.
		const rec = [...emu.world.instances.values()].find((r) => r.instance.appId === QUIET)!;
		changeInstance(rec, base + 30_000);
		add(rec);
		await drainAll(p, tracker, changeKey);

		expect(tracker.duplicates).toEqual([]);
		expect([...tracker.seen].filter((k) => k !== late).sort()).toEqual([...expected].sort());
		// The late arrival behind the cursor is the documented limit of lastChanged polling.
		expect(tracker.seen.has(late)).toBe(false);
		expect(p.persistedStaticData[`node:${NODE}`]).toMatchObject({ cursor: { kind: 'instances', time: new Date(base + 30_000).toISOString() } });
	});

	it('a fault mid-poll emits the finished prefix, and the next poll resumes without loss or repeat', async () => {
		const base = Date.now() - 3600_000;
		const expected = [...Array(450)].map((_, i) => keyOfRecord(create(QUIET, base + Math.floor(i / 3) * 10))); // triples share a time
		const p = poller(instanceParams({ options: { maxItems: 1000 } }));
		const tracker = new Tracker();

		// Pages are 200: the first page is read, the second fails (a 500 on every attempt).
		emu.faults.add({ route: 'storage.instances.query', status: 500, after: 1, times: FOR_GOOD });
		const first = await p.poll();
		tracker.take(first, changeKey);
		expect(first.json).toHaveLength(200);

		// The next poll fails on its very first request: nothing finished, so the error surfaces.
		emu.faults.add({ route: 'storage.instances.query', status: 500, times: FOR_GOOD });
		const failing = await p.poll();
		expect(failing.error?.message).toBeDefined();
		expect(failing.emitted).toBe(false);

		// Transient 503s are retried inside the poll.
		emu.faults.add({ route: 'storage.instances.query', status: 503, after: 1, times: 2 });
		await drainAll(p, tracker, changeKey, true);
		expect(tracker.duplicates).toEqual([]);
		expect([...tracker.seen].sort()).toEqual([...expected].sort());
	});

	it('a tick that starts while the previous poll is still running does nothing', async () => {
		const base = Date.now() - 3600_000;
		const recs = [...Array(30)].map((_, i) => create(QUIET, base + i));
		const p = poller(instanceParams());
		const [a, b] = await Promise.all([p.poll(), p.poll()]);
		const tracker = new Tracker();
		tracker.take(a, changeKey);
		tracker.take(b, changeKey);
		expect([a.emitted, b.emitted].sort()).toEqual([false, true]);
		expect(tracker.duplicates).toEqual([]);
		expect([...tracker.seen].sort()).toEqual(recs.map(keyOfRecord).sort());
	});

	it('a same-millisecond burst larger than a page and the item cap comes out whole, once', async () => {
		const at = Date.now() - 3600_000;
		const burst = [...Array(450)].map(() => keyOfRecord(create(QUIET, at)));
		const p = poller(instanceParams({ options: { maxItems: 100 } })); // pages of 101
		const tracker = new Tracker();
		await drainAll(p, tracker, changeKey, true);
		expect(tracker.duplicates).toEqual([]);
		expect([...tracker.seen].sort()).toEqual(burst.sort());
		expect(tracker.polls).toBe(6); // 5 x 100 (the last 50), then nothing
	});

	it('a download that fails part way stops there: earlier items are emitted, the failed one comes next poll', async () => {
		const base = Date.now() - 3600_000;
		const recs = [0, 1, 2, 3].map((i) =>
			create(QUIET, base + i * 1000, { data: [{ dataType: 'attachment', content: `file ${i}`, contentType: 'text/plain', filename: `f${i}.txt` }] }),
		);
		const p = poller(instanceParams({ downloadData: true, options: { dataTypes: 'attachment' } }));
		// Each instance has one attachment: the third download fails for good (500).
		emu.faults.add({ route: 'storage.data.get', status: 500, after: 2, times: FOR_GOOD });
		const first = await p.poll();
		expect(first.json.map((j) => j.instanceId)).toEqual([recs[0].instance.id, recs[1].instance.id]);
		const item = first.items![0][1];
		expect(item.binary?.data_0).toMatchObject({ fileName: 'f1.txt', mimeType: 'text/plain' });
		expect(Buffer.from(item.binary!.data_0.data, 'base64').toString()).toBe('file 1');
		expect(item.json.dataElements).toEqual([expect.objectContaining({ dataType: 'attachment', binaryProperty: 'data_0' })]);
		const second = await p.poll();
		expect(second.json.map((j) => j.instanceId)).toEqual([recs[2].instance.id, recs[3].instance.id]);
	});

	it('instances whose lastChanged moves while the backlog is paged are emitted at their new time, once', async () => {
		const base = Date.now() - 3600_000;
		const recs = [...Array(60)].map((_, i) => create(QUIET, base + i * 100));
		const p = poller(instanceParams({ options: { maxItems: 20 } }));
		const tracker = new Tracker();
		tracker.take(await p.poll(), changeKey); // 0..19
		// One already emitted and one not yet reached both change now.
		changeInstance(recs[5], base + 10_000);
		changeInstance(recs[40], base + 10_001);
		await drainAll(p, tracker, changeKey, true);
		expect(tracker.duplicates).toEqual([]);
		const expected = new Set([...recs.map(keyOfRecord), `${recs[5].instance.id}@${new Date(base).toISOString()}`]);
		expected.add(`${recs[5].instance.id}@${new Date(base + 500).toISOString()}`);
		expect(tracker.seen.has(keyOfRecord(recs[5]))).toBe(true);
		expect(tracker.seen.has(keyOfRecord(recs[40]))).toBe(true);
		expect(tracker.seen.size).toBe(61); // 60 + the second change of recs[5]
	});

	it('filters: only completed and not yet confirmed by us; the confirm step removes the instance from the feed', async () => {
		const base = Date.now() - 3600_000;
		const done = create(QUIET, base, { task: 'ended' });
		create(QUIET, base + 1); // still at Task_1
		create(QUIET, base + 2, { task: 'ended', confirmedBy: ['ttd'] });
		const p = poller(instanceParams({ onlyCompleted: true, notConfirmed: true }));
		const first = await p.poll();
		expect(first.json.map((j) => j.instanceId)).toEqual([done.instance.id]);
		expect(first.json[0]).toMatchObject({ appId: QUIET, org: 'ttd', app: 'quiet-app', partyId: String(partyId), processEnded: expect.any(String) });
		emu.world.confirmComplete(done, { org: 'ttd', orgNumber: TTD.orgNumber });
		expect((await p.poll()).emitted).toBe(false);
	});

	it('trigger, then the Altinn node confirms the download: each submitted instance is processed exactly once', async () => {
		const base = Date.now() - 3600_000;
		const submitted = [0, 1, 2].map((i) =>
			create(QUIET, base + i, { task: 'ended', data: [{ dataType: 'attachment', content: `pdf ${i}`, contentType: 'application/pdf', filename: `r${i}.pdf` }] }),
		);
		const p = poller(instanceParams({ onlyCompleted: true, notConfirmed: true, downloadData: true }));
		const nodeTypes = new TestNodeTypes([new AltinnTrigger(), new Altinn()]);
		const processed: string[] = [];
		for (let round = 0; round < 3; round++) {
			const result = await p.poll();
			if (!result.emitted) break;
			// The rest of the workflow: the files are there, then Confirm Download for each item.
			for (const item of result.items![0]) expect(Object.keys(item.binary ?? {}).length).toBeGreaterThan(0);
			const run = await runWorkflow({
				nodes: [
					{
						name: 'Confirm',
						type: 'n8n-nodes-altinn.altinn',
						parameters: { resource: 'instance', operation: 'confirmDownload', instanceId: '={{ $json.instanceId }}' },
						credentials: { maskinportenApi: 'cred-1' },
					},
				],
				nodeTypes,
				credentials,
				inputItems: result.items![0],
			});
			expect(run.error('Confirm')).toBeUndefined();
			processed.push(...run.json('Confirm').map((j) => String(j.id)));
		}
		expect(processed.sort()).toEqual(submitted.map((r) => r.instance.id).sort());
		// Confirming changed every instance, yet nothing comes back.
		expect((await p.poll()).emitted).toBe(false);
	});

	it('start from now: what exists is passed over silently, what changes later is emitted', async () => {
		for (let i = 0; i < 5; i++) create(QUIET, Date.now() - 60_000 + i);
		const p = poller(instanceParams({ startFrom: 'now' }));
		const first = await p.poll();
		expect(first.emitted).toBe(false);
		const fresh = create(QUIET, Date.now() - 40_000); // older than the 30 s settle time
		const second = await p.poll();
		expect(second.json.map((j) => j.instanceId)).toEqual([fresh.instance.id]);
	});

	it('start from everything not yet confirmed: skips confirmed instances during the catch-up only', async () => {
		const old = Date.now() - 30 * 24 * 3600_000;
		const open = create(QUIET, old);
		create(QUIET, old + 1, { confirmedBy: ['ttd'] });
		const p = poller(instanceParams({ startFrom: 'unconfirmed' }));
		const first = await p.poll();
		expect(first.json.map((j) => j.instanceId)).toEqual([open.instance.id]);
		expect(first.nodeStaticData.cursor).not.toHaveProperty('catchUp');
		const later = create(QUIET, Date.now() - 40_000, { confirmedBy: ['ttd'] });
		expect((await p.poll()).json.map((j) => j.instanceId)).toEqual([later.instance.id]);
	});

	it('changing Start Time starts the trigger again from the new time', async () => {
		const base = Date.now() - 3600_000;
		const a = create(QUIET, base);
		const b = create(QUIET, base + 60_000);
		const p = poller(instanceParams());
		expect((await p.poll()).json.map((j) => j.instanceId)).toEqual([a.instance.id, b.instance.id]);
		// As n8n's date picker gives it: no zone, read in the workflow's time zone (Tokyo: UTC+9, no summer time).
		const picked = new Date(base + 30_000 + 9 * 3600_000).toISOString().replace(/\.\d+Z$/, '');
		const moved = poller(instanceParams({ startTime: picked }), { staticData: p.persistedStaticData, timezone: 'Asia/Tokyo' });
		expect((await moved.poll()).json.map((j) => j.instanceId)).toEqual([b.instance.id]);
	});

	it('changes younger than the settle time wait for a later poll', async () => {
		const settled = create(QUIET, Date.now() - 5000);
		const young = create(QUIET, Date.now());
		const p = poller(instanceParams({ options: { settleSeconds: 3 } }));
		expect((await p.poll()).json.map((j) => j.instanceId)).toEqual([settled.instance.id]);
		emu.world.setLastChanged(young, Date.now() - 4000);
		expect((await p.poll()).json.map((j) => j.instanceId)).toEqual([young.instance.id]);
	});

	it('fetch test event returns the latest match and leaves the cursor alone', async () => {
		const base = Date.now() - 3600_000;
		create(QUIET, base);
		const newest = create(QUIET, base + 5000);
		const p = poller(instanceParams({ fetchInstance: true }), { mode: 'manual' });
		const result = await p.poll();
		expect(result.json).toHaveLength(1);
		expect(result.json[0]).toMatchObject({ instanceId: newest.instance.id, instance: { id: newest.instance.id } });
		expect(result.staticData).toEqual({});
	});

	it.each([
		['each change once', false],
		['until confirmed', true],
	] as const)('a 10,000-instance backlog drains within the budget over several polls, with restarts, none lost or repeated (%s)', async (mode, notConfirmed) => {
		const base = Date.now() - 24 * 3600_000;
		// Groups of five share a timestamp, so page and cap boundaries fall inside equal-time groups.
		const recs = emu.world.createInstances(10_000, { appId: QUIET, partyId, lastChanged: (i) => base + Math.floor(i / 5) });
		const p = poller(instanceParams({ notConfirmed, options: { maxItems: 1000 } }));
		const tracker = new Tracker();
		const started = Date.now();
		const queriesBefore = emu.counters.get('route.storage.instances.query');
		const requestsBefore = emu.counters.get('requests');
		let restarts = 0;
		for (let i = 0; i < 50; i++) {
			const result = await p.poll();
			tracker.take(result, changeKey);
			if (!result.emitted) break;
			if (i % 3 === 1) {
				p.restart();
				restarts++;
			}
		}
		const ms = Date.now() - started;
		expect(tracker.duplicates).toEqual([]);
		expect(tracker.seen.size).toBe(10_000);
		expect([...tracker.seen].sort()).toEqual(recs.map(keyOfRecord).sort());
		// Figures for the report.
		const staticBytes = JSON.stringify(p.persistedStaticData).length;
		process.stdout.write(
			`10k backlog (${mode}): ${tracker.polls} polls (${restarts} restarts), ${tracker.seen.size} items, ${emu.counters.get('route.storage.instances.query') - queriesBefore} Storage queries, ${emu.counters.get('requests') - requestsBefore} requests, static data ${staticBytes} bytes, ${ms} ms\n`,
		);
		expect(tracker.polls).toBe(11); // 10 full polls of 1000, then one that finds nothing
		if (!notConfirmed) return;
		// Nothing was confirmed: once due, every instance comes again, 1000 a poll, oldest delivery first.
		const due = poller(instanceParams({ notConfirmed, options: { maxItems: 1000, redeliverMinutes: 0 } }), { staticData: p.persistedStaticData });
		const sweepQueries = emu.counters.get('route.storage.instances.query');
		const again = new Set<string>();
		for (let i = 0; i < 10; i++) {
			for (const json of (await due.poll()).json) {
				expect(json).toMatchObject({ redelivered: true, attempt: 2 });
				again.add(String(json.instanceId));
			}
		}
		expect(again.size).toBe(10_000);
		process.stdout.write(`10k redelivery: 10 polls, ${again.size} items, ${emu.counters.get('route.storage.instances.query') - sweepQueries} Storage queries\n`);
	});

	it('a small poll budget makes a poll stop early; the next one continues', async () => {
		const base = Date.now() - 3600_000;
		for (let i = 0; i < 600; i++) create(QUIET, base + i);
		emu.knobs.latencyMs = 20;
		try {
			// 60% of 100 ms for reading: about three 20 ms pages per poll once the token is cached.
			const p = poller(instanceParams({ options: { maxItems: 10_000 } }), { budgetMs: 100 });
			const tracker = new Tracker();
			const first = await p.poll();
			tracker.take(first, changeKey);
			expect(first.json.length).toBeGreaterThan(0);
			expect(first.json.length).toBeLessThan(600);
			await drainAll(p, tracker, changeKey, true);
			expect(tracker.seen.size).toBe(600);
			expect(tracker.duplicates).toEqual([]);
		} finally {
			emu.knobs.latencyMs = 0;
		}
	});
});

describe('App events', () => {
	beforeEach(() => {
		emptyApp(DEMO);
		emptyApp(QUIET);
	});
	// One start time for the whole describe: changing it would start the trigger again (a new scope).
	const startTime = new Date(Date.now() - 3600_000).toISOString();
	const eventParams = (extra: INodeParameters = {}): INodeParameters => ({
		source: 'appEvents',
		org: 'ttd',
		app: 'demo-app',
		eventTypes: ['any'],
		startFrom: 'time',
		startTime,
		...extra,
	});

	it('emits every event once across polls, faults, type filters and restarts', async () => {
		const p = poller(eventParams({ options: { maxItems: 7 } }), { durable: true });
		const tracker = new Tracker();
		const recs = [...Array(10)].map(() => emu.world.createInstance({ appId: DEMO, partyId }));
		await drainAll(p, tracker, eventKey, true);
		for (const rec of recs.slice(0, 5)) emu.world.advanceProcess(rec, 'end');
		// The next poll fails on its first request: nothing finished, nothing emitted, the error surfaces.
		emu.faults.add({ route: 'events.app.query', status: 500, times: FOR_GOOD });
		const failed = await p.poll();
		expect(failed).toMatchObject({ emitted: false, error: expect.objectContaining({ message: expect.stringContaining('500') }) });
		tracker.take(await p.poll(), eventKey);
		// Bigger pages than the cap would need: a fault on the second page keeps the first page's items.
		const wide = poller(eventParams({ options: { maxItems: 1000 } }), { staticData: p.persistedStaticData, durable: true });
		for (const rec of recs.slice(5)) emu.world.advanceProcess(rec, 'end');
		for (let i = 0; i < 250; i++) emu.world.addAppEvent(DEMO, { type: 'app.instance.substatus.changed', instance: recs[0] });
		emu.faults.add({ route: 'events.app.query', status: 500, after: 1, times: FOR_GOOD });
		const partial = await wide.poll();
		tracker.take(partial, eventKey);
		expect(partial.json).toHaveLength(200);
		await drainAll(wide, tracker, eventKey, true);
		const all = emu.world.appEvents.get(DEMO)!;
		expect(tracker.duplicates).toEqual([]);
		expect([...tracker.seen].sort()).toEqual(all.map((e) => e.id).sort());
		const item = (await poller(eventParams(), { mode: 'manual' }).poll()).json[0];
		expect(item).toMatchObject({ eventType: all[all.length - 1].type, org: 'ttd', app: 'demo-app', partyId: String(partyId) });
		expect(String(item.links && (item.links as IDataObject).storage)).toContain('/storage/api/v1/instances/');
	});

	it('filters by type: only completed, and moved to any task', async () => {
		const rec = emu.world.createInstance({ appId: DEMO, partyId });
		emu.world.advanceProcess(rec, 'end');
		const completed = await poller(eventParams({ eventTypes: ['completed'] })).poll();
		expect(completed.json.map((j) => j.eventType)).toEqual(['app.instance.process.completed']);
		const moved = await poller(eventParams({ eventTypes: ['movedTo'] })).poll();
		expect(moved.json.length).toBeGreaterThan(0);
		for (const j of moved.json) expect(String(j.eventType)).toMatch(/^app\.instance\.process\.movedTo\./);
	});

	it('fetches the full instance and downloads its files for each event', async () => {
		const rec = emu.world.createInstance({ appId: DEMO, partyId, data: [{ dataType: 'attachment', content: 'hello', contentType: 'text/plain', filename: 'a.txt' }] });
		const result = await poller(eventParams({ eventTypes: ['created'], fetchInstance: true, downloadData: true, options: { dataTypes: 'attachment' } })).poll();
		expect(result.json).toHaveLength(1);
		expect(result.json[0]).toMatchObject({ instanceId: rec.instance.id, instance: { id: rec.instance.id } });
		expect(result.items![0][0].binary?.data_0).toMatchObject({ fileName: 'a.txt' });
	});

	it("a start time without a zone is read in the workflow's time zone and sent to Events as UTC (Events refuses one without)", async () => {
		const rec = emu.world.createInstance({ appId: DEMO, partyId });
		// Tokyo is UTC+9 all year: the same instant, as the date picker shows it there.
		const inTokyo = new Date(Date.parse(startTime) + 9 * 3600_000).toISOString().replace(/\.\d+Z$/, '');
		const result = await poller(eventParams({ eventTypes: ['created'], startTime: inTokyo }), { timezone: 'Asia/Tokyo' }).poll();
		expect(result.error).toBeUndefined();
		expect(result.json.map((j) => j.instanceId)).toEqual([rec.instance.id]);
	});

	it('start from now: earlier events are passed over, later ones emitted', async () => {
		emu.world.createInstance({ appId: DEMO, partyId });
		const p = poller(eventParams({ startFrom: 'now' }));
		expect((await p.poll()).emitted).toBe(false);
		const rec = emu.world.createInstance({ appId: DEMO, partyId });
		const second = await p.poll();
		expect(second.json.map((j) => j.instanceId)).toEqual([rec.instance.id, rec.instance.id]); // created, movedTo.Task_1
		expect(second.json.map((j) => j.eventType).sort()).toEqual(['app.instance.created', 'app.instance.process.movedTo.Task_1']);
	});

	it('resumes by time when its last event is near the end of Events\' 90-day retention', async () => {
		const rec = emu.world.createInstance({ appId: DEMO, partyId, emitEvents: false });
		const oldTime = new Date(Date.now() - 85 * 24 * 3600_000).toISOString();
		const old = emu.world.addAppEvent(DEMO, { type: 'app.instance.created', instance: rec, time: oldTime });
		const p = poller(eventParams({ startFrom: 'unconfirmed' })); // Events: the 90 days it keeps
		expect((await p.poll()).json.map((j) => j.eventId)).toEqual([old.id]);
		// Events drops the old event; `after=<its id>` would now match nothing, for ever.
		emu.world.appEvents.set(DEMO, []);
		const fresh = emu.world.addAppEvent(DEMO, { type: 'app.instance.process.completed', instance: rec });
		expect((await p.poll()).json.map((j) => j.eventId)).toEqual([fresh.id]);
		expect((await p.poll()).emitted).toBe(false);
	});

	it('says so when the app does not publish events, and suggests Instance changes', async () => {
		create(QUIET, Date.now() - 10 * 60_000);
		const result = await poller(eventParams({ app: 'quiet-app' })).poll();
		expect(result.error?.message).toBe('The app "ttd/quiet-app" does not seem to publish events');
		expect((result.error as { description?: string }).description).toContain('Instance Changes');
		const manual = await poller(eventParams({ app: 'quiet-app' }), { mode: 'manual' }).poll();
		expect(manual.error?.message).toBe('The app "ttd/quiet-app" does not seem to publish events');
	});
});

describe('A long, randomly interleaved run', () => {
	/** Small deterministic PRNG (mulberry32), so a failure can be replayed. */
	const rng = (seed: number) => () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};

	it.each([
		['instanceChanges', 11, false],
		['appEvents', 23, false],
		['instanceChanges', 37, true],
	] as const)('%s: polls, new records, bursts, moves, faults and restarts in random order lose nothing and repeat only redeliveries (seed %i, until confirmed: %s)', async (source, seed, untilConfirmed) => {
		const random = rng(seed);
		emptyApp(DEMO);
		emptyApp(QUIET);
		const appId = source === 'appEvents' ? DEMO : QUIET;
		const route = source === 'appEvents' ? 'events.app.query' : 'storage.instances.query';
		const key = source === 'appEvents' ? eventKey : changeKey;
		const params: INodeParameters =
			source === 'appEvents'
				? { source, org: 'ttd', app: 'demo-app', eventTypes: ['any'], startFrom: 'time', startTime: '2020-01-01T00:00:00Z', options: { maxItems: 15 } }
				: untilConfirmed
					? instanceParams({ notConfirmed: true, options: { maxItems: 15, redeliverMinutes: 0, maxDeliveries: 3 } })
					: instanceParams({ options: { maxItems: 15 } });

		let p = poller(params, { durable: random() < 0.5 });
		const tracker = new Tracker();
		let clock = Date.now() - 24 * 3600_000;
		const recs: InstanceRecord[] = [];
		let errors = 0;

		for (let step = 0; step < 150; step++) {
			const r = random();
			if (r < 0.3) {
				// New instances, some in a same-millisecond burst.
				const n = 1 + Math.floor(random() * 8);
				const burst = random() < 0.4;
				for (let i = 0; i < n; i++) recs.push(emu.world.createInstance({ appId, partyId, created: burst ? clock : ++clock, lastChanged: burst ? clock : clock }));
				clock += 5;
			} else if (r < 0.4 && recs.length > 0) {
				// An instance changes (moves to a later lastChanged; its process moves on, which publishes events).
				const rec = recs[Math.floor(random() * recs.length)];
				if (source === 'appEvents' && rec.instance.process?.currentTask) emu.world.advanceProcess(rec, 1);
				else changeInstance(rec, (clock += 3));
			} else if (r < 0.5) {
				emu.faults.add({ route, status: random() < 0.5 ? 500 : 503, after: Math.floor(random() * 3), times: random() < 0.5 ? 1 : FOR_GOOD + 2 });
			} else if (r < 0.6) {
				// n8n restarts: a fresh workflow from the database.
				p = poller(params, { staticData: p.persistedStaticData, durable: random() < 0.5 });
			} else {
				const result = await p.poll();
				if (result.error) errors++;
				else tracker.take(result, key);
				for (const json of result.json) {
					// The workflow confirms about half of what it gets; the rest fails before Confirm Download.
					const rec = emu.world.instances.get(String(json.instanceId));
					if (untilConfirmed && rec && random() < 0.5) emu.world.confirmComplete(rec, { org: 'ttd', orgNumber: TTD.orgNumber });
				}
			}
		}
		const spoiled = emu.faults.usedTotal();
		emu.faults.clear();
		const last = await drainAll(p, tracker, key, true);
		expect(last.error).toBeUndefined();

		expect(tracker.duplicates.filter((k) => !tracker.redelivered.has(k))).toEqual([]);
		if (untilConfirmed) {
			// Repeats happened, and only as redeliveries; an instance confirmed after its last change is emitted no more.
			expect(tracker.duplicates.length).toBeGreaterThan(0);
			const confirmed = (rec: InstanceRecord) => ((rec.instance.completeConfirmations ?? []) as unknown[]).length > 0;
			const ids = new Set([...tracker.seen].map((k) => k.split('@')[0]));
			for (const rec of recs) expect(ids.has(rec.instance.id)).toBe(true);
			for (const rec of recs.filter((r) => !confirmed(r))) expect(tracker.seen.has(keyOfRecord(rec))).toBe(true);
		} else if (source === 'appEvents') {
			expect([...tracker.seen].sort()).toEqual(emu.world.appEvents.get(DEMO)!.map((e) => e.id).sort());
		} else {
			// Every instance's current state was emitted; earlier states were emitted at most once each.
			for (const rec of recs) expect(tracker.seen.has(keyOfRecord(rec))).toBe(true);
		}
		process.stdout.write(
			`${source}${untilConfirmed ? ' (until confirmed)' : ''} soak: ${tracker.polls} polls, ${tracker.seen.size} items, ${tracker.duplicates.length} redeliveries, ${errors} failed polls\n`,
		);
		// The run met real failures: whole polls failed, or (until confirmed, where a poll that already has
		// redeliveries emits them and resumes later) Altinn's answers were spoiled beyond the transport's retries.
		if (untilConfirmed) expect(spoiled).toBeGreaterThan(RETRY.maxAttempts);
		else expect(errors).toBeGreaterThan(0);
	});
});

describe('No submission lost: redelivery until confirmed, one environment, Altinn\'s clock, no self-loops', () => {
	beforeEach(() => {
		emptyApp(QUIET);
		emptyApp(DEMO);
		for (const [id, rec] of prod.world.instances) if (rec.instance.appId === QUIET || rec.instance.appId === DEMO) prod.world.instances.delete(id);
		prod.world.appEvents.set(DEMO, []);
	});

	const nodeTypes = () => new TestNodeTypes([new AltinnTrigger(), new Altinn()]);
	/** The rest of the workflow, through the real Altinn node: `steps` for each item, in order. */
	async function workflow(items: INodeExecutionData[], steps: Array<{ name: string; parameters: IDataObject }>) {
		const run = await runWorkflow({
			nodes: steps.map((step) => ({
				name: step.name,
				type: 'n8n-nodes-altinn.altinn',
				// The first step gets the trigger's item, the next ones the instance Storage answered with.
				parameters: { resource: 'instance', instanceId: '={{ $json.instanceId ?? $json.id }}', ...step.parameters } as INodeParameters,
				credentials: { maskinportenApi: 'cred-1' },
			})),
			nodeTypes: nodeTypes(),
			credentials,
			inputItems: items.map((item) => ({ json: { instanceId: item.json.instanceId } })),
		});
		for (const step of steps) expect(run.error(step.name)).toBeUndefined();
	}
	const confirm = { name: 'Confirm', parameters: { operation: 'confirmDownload' } };
	const delivery = (json: IDataObject) => [json.instanceId, json.redelivered, json.attempt];
	const submittedParams = (options: IDataObject = {}) => instanceParams({ onlyCompleted: true, notConfirmed: true, options: options as INodeParameters });

	it('a workflow that fails before Confirm Download gets the instance again, as a redelivery, and then confirms it', async () => {
		const base = Date.now() - 3600_000;
		const [a, b] = [0, 1].map((i) => create(QUIET, base + i, { task: 'ended' }).instance.id as string);
		// 0 minutes: due on the very next poll (the default is 15).
		const p = poller(submittedParams({ redeliverMinutes: 0 }));
		const first = await p.poll();
		expect(first.json.map(delivery)).toEqual([[a, false, 1], [b, false, 1]]);
		// The run confirms b, then fails (say, storing a's file) before confirming a.
		await workflow(first.items![0].slice(1), [confirm]);
		const second = await p.poll();
		expect(second.json.map(delivery)).toEqual([[a, true, 2]]);
		await workflow(second.items![0], [confirm]);
		expect((await p.poll()).emitted).toBe(false);
		expect((await p.poll()).emitted).toBe(false);
	});

	it('with the default redelivery time nothing comes again at once; after Max Deliveries it is reported once as given up', async () => {
		const a = create(QUIET, Date.now() - 3600_000, { task: 'ended' }).instance.id as string;
		const patient = poller(submittedParams());
		expect((await patient.poll()).json.map(delivery)).toEqual([[a, false, 1]]);
		expect((await patient.poll()).emitted).toBe(false); // 15 minutes have not passed
		const p = poller(submittedParams({ redeliverMinutes: 0, maxDeliveries: 2 }), { staticData: patient.persistedStaticData });
		expect((await p.poll()).json.map(delivery)).toEqual([[a, true, 2]]);
		const last = await p.poll();
		expect(last.json).toEqual([expect.objectContaining({ instanceId: a, attempt: 2, gaveUp: true, problem: expect.stringContaining('Not confirmed after 2 deliveries') })]);
		expect((await p.poll()).emitted).toBe(false);
	});

	it('a sweep with nothing due makes no request; one with something due reads the unconfirmed instances in pages', async () => {
		const base = Date.now() - 3600_000;
		for (let i = 0; i < 450; i++) create(QUIET, base + i, { task: 'ended' });
		const p = poller(submittedParams({ maxItems: 1000 }));
		expect((await p.poll()).json).toHaveLength(450);
		const quiet = emu.counters.get('route.storage.instances.query');
		expect((await p.poll()).emitted).toBe(false);
		expect(emu.counters.get('route.storage.instances.query') - quiet).toBe(1); // the drain's one query, no sweep
		const due = poller(submittedParams({ maxItems: 1000, redeliverMinutes: 0 }), { staticData: p.persistedStaticData });
		const before = emu.counters.get('route.storage.instances.query');
		const again = await due.poll();
		expect(again.json).toHaveLength(450);
		expect(again.json.every((j) => j.redelivered === true && j.attempt === 2)).toBe(true);
		// Three pages of 200 for the sweep, one query for the drain.
		expect(emu.counters.get('route.storage.instances.query') - before).toBe(4);
	});

	it.each(['instanceChanges', 'appEvents'] as const)('%s: switching the credential from TT02 to production neither replays nor skips', async (source) => {
		const old = Date.now() - 2 * 24 * 3600_000;
		const params: INodeParameters =
			source === 'appEvents'
				? { source, org: 'ttd', app: 'demo-app', eventTypes: ['completed'], startFrom: 'now' }
				: instanceParams({ startFrom: 'unconfirmed', onlyCompleted: true, notConfirmed: true });
		// Production: submissions from two days ago, not yet confirmed (and their events).
		const backlog = [0, 1].map((i) => prod.world.createInstance({ appId: source === 'appEvents' ? DEMO : QUIET, partyId, created: old + i, task: 'ended' }));
		// TT02: the trigger is built and tried there first.
		const tt02 = poller(params);
		await tt02.poll();
		const tried = emu.world.createInstance({ appId: source === 'appEvents' ? DEMO : QUIET, partyId, created: Date.now() - 60_000, task: 'ended' });
		expect((await tt02.poll()).json.map((j) => j.instanceId)).toEqual([tried.instance.id]);

		const production = poller(params, { staticData: tt02.persistedStaticData, credential: 'cred-prod' });
		const first = await production.poll();
		expect(first.error).toBeUndefined();
		if (source === 'appEvents') {
			// Start From "Now" in production: its 90-day history is not replayed (an unknown `after` would).
			expect(first.json).toEqual([]);
			const fresh = prod.world.createInstance({ appId: DEMO, partyId, task: 'ended' });
			expect((await production.poll()).json.map((j) => j.instanceId)).toEqual([fresh.instance.id]);
		} else {
			// "Everything not yet confirmed" in production: its backlog, which is older than TT02's position.
			expect(first.json.map((j) => j.instanceId).sort()).toEqual(backlog.map((r) => r.instance.id).sort());
		}
		expect(JSON.stringify(production.persistedStaticData)).not.toContain(tried.instance.id);
	});

	it('a change Storage commits late, with a time inside Altinn\'s window, is not lost', async () => {
		const p = poller(instanceParams({ startFrom: 'now' }));
		expect((await p.poll()).emitted).toBe(false);
		const now = Date.now();
		const early = create(QUIET, now - 5000);
		const firstLook = await p.poll();
		// A write stamped earlier (Storage stamps lastChanged before it writes) becomes visible now.
		const late = create(QUIET, now - 8000);
		// 40 s pass (both changes move back by that much against Altinn's clock).
		for (const rec of [early, late]) emu.world.setLastChanged(rec, Date.parse(rec.instance.lastChanged as string) - 40_000);
		const later = await p.poll();
		const emitted = [...firstLook.json, ...later.json].map((j) => j.instanceId);
		expect(emitted.sort()).toEqual([early.instance.id, late.instance.id].sort());
	});

	it.each([
		['each change emitted once', false],
		['redelivered until confirmed', true],
	] as const)('self-made changes (substatus, read status, presentation texts, data values) do not trigger again: %s', async (_, notConfirmed) => {
		const rec = create(QUIET, Date.now() - 3600_000, { task: 'ended' });
		const p = poller(instanceParams({ onlyCompleted: true, notConfirmed }));
		let items = (await p.poll()).items![0];
		expect(items.map((i) => i.json.instanceId)).toEqual([rec.instance.id]);
		for (let round = 0; round < 3; round++) {
			// What a handling workflow writes back to the instance (and then fails to confirm).
			await workflow(items, [
				{ name: 'Substatus', parameters: { operation: 'setSubstatus', label: `Mottatt ${round}` } },
				{ name: 'Read', parameters: { operation: 'setReadStatus', readStatus: round % 2 ? 'Unread' : 'Read' } },
				{ name: 'Texts', parameters: { operation: 'updatePresentationTexts', texts: { pairs: [{ key: 'Sak', value: String(round) }] } } },
				{ name: 'Values', parameters: { operation: 'updateDataValues', values: { pairs: [{ key: 'ref', value: `A-${round}` }] } } },
			]);
			// Settled on Altinn's clock.
			emu.world.setLastChanged(rec, Date.parse(rec.instance.lastChanged as string) - 60_000 + round);
			const again = await p.poll();
			expect(again.emitted).toBe(false);
		}
		// A change the workflow did not make (a new attachment) is emitted.
		emu.world.addDataElement(rec, { dataType: 'attachment', content: 'late', contentType: 'text/plain' }, {}, Date.now() - 50_000);
		items = (await p.poll()).items![0];
		expect(items.map((i) => i.json.instanceId)).toEqual([rec.instance.id]);
	});

	it('Org is read as the Altinn node reads it: "TTD" is ttd, and a bad Org or App says which field and what to give', async () => {
		const rec = create(QUIET, Date.now() - 3600_000);
		const upper = await poller(instanceParams({ org: ' TTD ' })).poll();
		expect(upper.json.map((j) => j.instanceId)).toEqual([rec.instance.id]);
		const badOrg = await poller(instanceParams({ org: 'ttd/quiet-app' })).poll();
		expect(badOrg.error?.message).toBe('Org "ttd/quiet-app" is not a service owner code');
		const badApp = await poller(instanceParams({ app: '' })).poll();
		expect(badApp.error?.message).toBe('App is empty');
	});

	it('does not download hard-deleted data elements', async () => {
		const rec = create(QUIET, Date.now() - 3600_000, {
			data: [
				{ dataType: 'attachment', content: 'kept', contentType: 'text/plain', filename: 'kept.txt' },
				{ dataType: 'attachment', content: 'gone', contentType: 'text/plain', filename: 'gone.txt' },
			],
		});
		const gone = (rec.instance.data as IDataObject[]).find((e) => e.filename === 'gone.txt')!;
		gone.deleteStatus = { isHardDeleted: true, hardDeleted: new Date().toISOString() };
		const downloadsBefore = emu.counters.get('route.storage.data.get');
		const result = await poller(instanceParams({ downloadData: true, options: { dataTypes: 'attachment' } })).poll();
		expect(result.json[0].dataElements).toEqual([expect.objectContaining({ filename: 'kept.txt', binaryProperty: 'data_0' })]);
		expect(emu.counters.get('route.storage.data.get') - downloadsBefore).toBe(1);
	});
});

describe('Errors', () => {
	it('an unknown app', async () => {
		const result = await poller(instanceParams({ app: 'no-such-app' })).poll();
		expect(result.error?.message).toBe('Altinn has no app "ttd/no-such-app" in this environment');
	});

	it('a token without the read scope', async () => {
		const result = await poller(instanceParams(), { credential: 'cred-write' }).poll();
		expect(result.error).toBeDefined();
		expect(`${result.error?.message} ${(result.error as { description?: string }).description ?? ''}`).toMatch(/instances\.read/);
	});

	it('a damaged cursor in static data', async () => {
		const scope = `instanceChanges|ttd/quiet-app|time:2020-01-01T00:00:00.000Z|env:${environmentKey(`${emu.url}/storage/api/v1`, 'trigger-client')}`;
		const staticData = { [`node:${NODE}`]: { cursor: { scope, kind: 'instances', time: 'garbage', ids: [] } } };
		const result = await poller(instanceParams(), { staticData }).poll();
		expect(result.error?.message).toBe("The trigger's saved position is damaged");
	});
});
