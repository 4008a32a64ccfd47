/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * The Altinn Trigger through n8n-core's real PollContext (harness `Poller`) against the emulator.
 * Every test tracks what was emitted over the whole run and asserts: nothing lost, nothing twice.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { MaskinportenApi } from '../credentials/MaskinportenApi.credentials';
import { Altinn } from '../nodes/Altinn/Altinn.node';
import { RETRY } from '../nodes/Altinn/transport/request';
import { AltinnTrigger } from '../nodes/AltinnTrigger/AltinnTrigger.node';
import { startEmulator, type Emulator } from './emulator';
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
let credentials: TestCredentialsHelper;
let partyId: number;

const savedDelay = RETRY.baseDelayMs;
/** A read that fails for good: a 500 on every attempt (a GET retries a single 500, as Storage's are often transient). */
const FOR_GOOD = RETRY.maxAttempts;

beforeAll(async () => {
	RETRY.baseDelayMs = 10;
	emu = await startEmulator();
	emu.world.addServiceOwner(TTD);
	emu.world.addServiceOwner(DIGDIR);
	partyId = emu.world.addParty({ orgNumber: '310000001', name: 'TESTBEDRIFT AS' }).partyId;
	for (const app of demoApps()) emu.world.addApplication(app);
	const key = testKey('trigger-key');
	const client = (clientId: string, scopes: string[]) =>
		emu.maskinporten.registerClient({ clientId, orgNumber: TTD.orgNumber, scopes, jwks: [key.publicJwk as RegisteredJwk] });
	client('trigger-client', ['altinn:serviceowner/instances.read', 'altinn:serviceowner/instances.write']);
	client('write-only-client', ['altinn:serviceowner/instances.write']);
	const data = (clientId: string, scopes: string) =>
		emulatorJwkCredential(emu, key, clientId, scopes, { algorithm: 'RS256', exchangeToAltinn: true });
	credentials = new TestCredentialsHelper(
		[new MaskinportenApi()],
		[
			{ id: 'cred-1', name: 'Maskinporten', type: 'maskinportenApi', data: data('trigger-client', 'altinn:serviceowner/instances.read altinn:serviceowner/instances.write') },
			{ id: 'cred-write', name: 'Write only', type: 'maskinportenApi', data: data('write-only-client', 'altinn:serviceowner/instances.write') },
		],
	);
});

afterAll(async () => {
	RETRY.baseDelayMs = savedDelay;
	emu.world.dispose?.();
	await emu.close();
});

afterEach(() => emu.faults.clear());

/** Deletes every instance and event of an app, so each test starts from an empty app. */
function emptyApp(appId: string) {
	for (const [id, rec] of emu.world.instances) if (rec.instance.appId === appId) emu.world.instances.delete(id);
	emu.world.appEvents.set(appId, []);
}

function poller(
	parameters: INodeParameters,
	opts: { staticData?: IDataObject; credential?: string; mode?: 'trigger' | 'manual'; budgetMs?: number; durable?: boolean; timezone?: string } = {},
) {
	return new Poller({
		node: { name: NODE, type: 'n8n-nodes-altinn.altinnTrigger', parameters, credentials: { maskinportenApi: opts.credential ?? 'cred-1' } },
		nodeType: new AltinnTrigger(),
		credentials,
		staticData: opts.staticData,
		mode: opts.mode ?? 'trigger',
		pollBudgetMs: opts.budgetMs,
		durableCursor: opts.durable,
		timezone: opts.timezone,
	});
}

/** Every key emitted over a run; `add` fails the test on the first duplicate. */
class Tracker {
	readonly seen = new Set<string>();
	readonly duplicates: string[] = [];
	polls = 0;
	emptyPolls = 0;

	take(result: PollResult, key: (json: IDataObject) => string): IDataObject[] {
		this.polls++;
		if (result.error) throw result.error;
		if (!result.emitted) this.emptyPolls++;
		for (const json of result.json) {
			const k = key(json);
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
		emu.world.setLastChanged(rec, base + 30_000);
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
		emu.world.setLastChanged(recs[5], base + 10_000);
		emu.world.setLastChanged(recs[40], base + 10_001);
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
		const fresh = create(QUIET, Date.now() - 3000); // older than the 2 s settle time
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
		const later = create(QUIET, Date.now() - 3000, { confirmedBy: ['ttd'] });
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

	it('a 10,000-instance backlog drains within the budget over several polls, with restarts, none lost or repeated', async () => {
		const base = Date.now() - 24 * 3600_000;
		// Groups of five share a timestamp, so page and cap boundaries fall inside equal-time groups.
		const recs = emu.world.createInstances(10_000, { appId: QUIET, partyId, lastChanged: (i) => base + Math.floor(i / 5) });
		const p = poller(instanceParams({ options: { maxItems: 1000 } }));
		const tracker = new Tracker();
		const started = Date.now();
		const queriesBefore = emu.counters.get('route.storage.instances.query');
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
		process.stdout.write(
			`10k backlog: ${tracker.polls} polls (${restarts} restarts), ${emu.counters.get('route.storage.instances.query') - queriesBefore} Storage queries, ${ms} ms\n`,
		);
		expect(tracker.polls).toBe(11); // 10 full polls of 1000, then one that finds nothing
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
		['instanceChanges', 11],
		['appEvents', 23],
	] as const)('%s: polls, new records, bursts, moves, faults and restarts in random order lose and repeat nothing (seed %i)', async (source, seed) => {
		const random = rng(seed);
		emptyApp(DEMO);
		emptyApp(QUIET);
		const appId = source === 'appEvents' ? DEMO : QUIET;
		const route = source === 'appEvents' ? 'events.app.query' : 'storage.instances.query';
		const key = source === 'appEvents' ? eventKey : changeKey;
		const params: INodeParameters =
			source === 'appEvents'
				? { source, org: 'ttd', app: 'demo-app', eventTypes: ['any'], startFrom: 'time', startTime: '2020-01-01T00:00:00Z', options: { maxItems: 15 } }
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
				else emu.world.setLastChanged(rec, (clock += 3));
			} else if (r < 0.5) {
				emu.faults.add({ route, status: random() < 0.5 ? 500 : 503, after: Math.floor(random() * 3), times: random() < 0.5 ? 1 : FOR_GOOD });
			} else if (r < 0.6) {
				// n8n restarts: a fresh workflow from the database.
				p = poller(params, { staticData: p.persistedStaticData, durable: random() < 0.5 });
			} else {
				const result = await p.poll();
				if (result.error) errors++;
				else tracker.take(result, key);
			}
		}
		emu.faults.clear();
		await drainAll(p, tracker, key, true);

		expect(tracker.duplicates).toEqual([]);
		if (source === 'appEvents') {
			expect([...tracker.seen].sort()).toEqual(emu.world.appEvents.get(DEMO)!.map((e) => e.id).sort());
		} else {
			// Every instance's current state was emitted; earlier states were emitted at most once each.
			for (const rec of recs) expect(tracker.seen.has(keyOfRecord(rec))).toBe(true);
		}
		process.stdout.write(`${source} soak: ${tracker.polls} polls, ${tracker.seen.size} items, ${errors} failed polls\n`);
		expect(errors).toBeGreaterThan(0);
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
		const staticData = { [`node:${NODE}`]: { cursor: { scope: 'instanceChanges|ttd/quiet-app|time:2020-01-01T00:00:00.000Z', kind: 'instances', time: 'garbage', ids: [] } } };
		const result = await poller(instanceParams(), { staticData }).poll();
		expect(result.error?.message).toBe("The trigger's saved position is damaged");
	});
});
