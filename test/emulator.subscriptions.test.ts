/**
 * The emulated Events subscriptions and push, over HTTP with minted Altinn tokens, against what
 * Altinn/altinn-events (commit d7232ac) does: validation and ownership of subscriptions, the
 * validation handshake, delivery of matching events with retries and dead-lettering, the cache.
 */
import { startEmulator, type Emulator } from './emulator/index';
import { demoApps, DIGDIR, TTD } from './emulator/seed';
import { PUSH_RETRY_DELAYS_MS, VALIDATION_EVENT_TYPE } from './emulator/subscriptions';
import { altinnToken } from './support/altinnTokens';
import { startReceiver, type Receiver } from './support/webhookReceiver';

let emu: Emulator;
let hook: Receiver;
let ttd: string;
let partyId: number;
const DEMO_RESOURCE = 'urn:altinn:resource:app_ttd_demo-app';
const api = '/events/api/v1/subscriptions';

async function call(method: string, path: string, opts: { token?: string; json?: unknown } = {}) {
	const headers: Record<string, string> = { Authorization: `Bearer ${opts.token ?? ttd}` };
	if (opts.json !== undefined) headers['Content-Type'] = 'application/json';
	const res = await fetch(`${emu.url}${path}`, { method, headers, body: opts.json === undefined ? undefined : JSON.stringify(opts.json) });
	const text = await res.text();
	return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as any) : undefined }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

beforeAll(async () => {
	emu = await startEmulator({ knobs: { pushTimeScale: 0.00001, subscriptionCacheMs: 0, allowHttpEndpoints: true } });
	emu.world.addServiceOwner(TTD);
	emu.world.addServiceOwner(DIGDIR);
	partyId = emu.world.addParty({ orgNumber: '310000001', name: 'TESTBEDRIFT AS' }).partyId;
	for (const app of demoApps()) emu.world.addApplication(app);
	ttd = await altinnToken(emu);
});
afterAll(async () => await emu.close());
beforeEach(async () => {
	hook = await startReceiver();
	for (const id of [...emu.subscriptions.subscriptions.keys()]) emu.subscriptions.subscriptions.delete(id);
	emu.knobs.subscriptionCacheMs = 0;
	emu.knobs.allowHttpEndpoints = true;
});
afterEach(async () => {
	await emu.subscriptions.idle();
	await hook.close();
});

const subscribe = async (extra: Record<string, unknown> = {}, token?: string) =>
	await call('POST', api, { token, json: { endPoint: `${hook.url}/hook`, resourceFilter: DEMO_RESOURCE, ...extra } });

describe('create, get, list, delete', () => {
	it('creates an app subscription: 201, Location singular, then validates it with one handshake', async () => {
		const res = await subscribe();
		expect(res.status).toBe(201);
		expect(res.headers.get('location')).toBe(`/events/api/v1/subscription/${res.json.id}`);
		expect(res.json).toMatchObject({ resourceFilter: DEMO_RESOURCE, consumer: '/org/ttd', createdBy: '/org/ttd', validated: false });
		await emu.subscriptions.idle();
		expect(hook.requests).toHaveLength(1);
		expect(hook.requests[0].body).toEqual({
			specversion: '1.0',
			id: expect.any(String),
			source: `${emu.url}/events/api/v1/subscriptions/${res.json.id}`,
			type: VALIDATION_EVENT_TYPE,
		});
		expect((await call('GET', `${api}/${res.json.id}`)).json.validated).toBe(true);
	});

	it('an identical POST returns the same subscription and validates it again', async () => {
		const first = await subscribe({ typeFilter: 'app.instance.process.completed' });
		const again = await subscribe({ typeFilter: 'app.instance.process.completed' });
		expect(again.status).toBe(201);
		expect(again.json.id).toBe(first.json.id);
		expect((await call('GET', api)).json.count).toBe(1);
		await emu.subscriptions.idle();
		expect(hook.requests.filter((r) => r.body.type === VALIDATION_EVENT_TYPE)).toHaveLength(2);
	});

	it('refuses a plain http endpoint unless the test knob allows it, and a missing endpoint', async () => {
		emu.knobs.allowHttpEndpoints = false;
		const http = await subscribe();
		expect(http.status).toBe(400);
		expect(http.json).toBe('Missing or invalid endpoint to push events towards');
		expect((await call('POST', api, { json: { resourceFilter: DEMO_RESOURCE } })).status).toBe(400);
		expect(emu.subscriptions.subscriptions.size).toBe(0);
	});

	it('app subscriptions need no altinn:events.subscribe scope; other resources do', async () => {
		const noScope = await altinnToken(emu, { scopes: ['altinn:serviceowner/instances.read'] });
		expect((await subscribe({}, noScope)).status).toBe(201);
		const generic = await subscribe({ resourceFilter: 'urn:altinn:resource:some-resource' }, noScope);
		expect(generic.status).toBe(403);
		expect(generic.text).toBe('');
	});

	it('an org may subscribe to its own apps only', async () => {
		const digdir = await altinnToken(emu, { org: 'digdir', orgNumber: DIGDIR.orgNumber });
		const res = await subscribe({}, digdir);
		expect(res.status).toBe(403);
		expect(res.json).toBe(`Not authorized to create a subscription for resource ${DEMO_RESOURCE}.`);
		expect((await subscribe({ resourceFilter: 'urn:altinn:resource:app_ttd_no-such-app' })).status).toBe(403);
		expect((await subscribe({ resourceFilter: 'urn:altinn:resource:app_ttd demo' })).json).toBe('Resource filter must be a valid urn');
	});

	it('GET and DELETE answer 404 for an unknown id, 403 for another org’s, and DELETE removes it', async () => {
		const created = await subscribe();
		const digdir = await altinnToken(emu, { org: 'digdir', orgNumber: DIGDIR.orgNumber });
		expect((await call('GET', `${api}/999`)).status).toBe(404);
		expect((await call('GET', `${api}/${created.json.id}`, { token: digdir })).status).toBe(403);
		expect((await call('DELETE', `${api}/${created.json.id}`, { token: digdir })).status).toBe(403);
		expect((await call('GET', api, { token: digdir })).json).toEqual({ count: 0, subscriptions: [] });
		expect((await call('DELETE', `${api}/${created.json.id}`)).status).toBe(200);
		expect((await call('GET', `${api}/${created.json.id}`)).status).toBe(404);
		expect((await call('DELETE', `${api}/${created.json.id}`)).status).toBe(404);
	});
});

describe('push', () => {
	const completed = (party = partyId) => {
		const rec = emu.world.createInstance({ appId: 'ttd/demo-app', partyId: party, task: 'ended' });
		return (emu.world.appEvents.get('ttd/demo-app') ?? []).filter((e) => e.resourceinstance === rec.instance.id);
	};

	it('pushes each matching event of a validated subscription, as the CloudEvent JSON', async () => {
		await subscribe();
		await emu.subscriptions.idle();
		const events = completed();
		await emu.subscriptions.idle();
		const pushed = hook.requests.filter((r) => r.body.type !== VALIDATION_EVENT_TYPE);
		expect(pushed.map((r) => r.body.id).sort()).toEqual(events.map((e) => e.id).sort());
		expect(pushed[0].headers['content-type']).toBe('application/json; charset=utf-8');
		expect(pushed[0].headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
	});

	it('type and subject filters narrow what is pushed', async () => {
		await subscribe({ typeFilter: 'app.instance.process.completed', subjectFilter: `/party/${partyId}` });
		const other = emu.world.addParty({ orgNumber: '310000002', name: 'ANNEN AS' }).partyId;
		await emu.subscriptions.idle();
		completed();
		emu.world.createInstance({ appId: 'ttd/demo-app', partyId: other, task: 'ended' });
		await emu.subscriptions.idle();
		const pushed = hook.requests.filter((r) => r.body.type !== VALIDATION_EVENT_TYPE);
		expect(pushed).toHaveLength(1);
		expect(pushed[0].body).toMatchObject({ type: 'app.instance.process.completed', subject: `/party/${partyId}` });
	});

	it('an unvalidated subscription receives nothing', async () => {
		hook.answer = () => 500; // the handshake fails on every attempt
		await subscribe();
		await emu.subscriptions.idle();
		completed();
		await emu.subscriptions.idle();
		expect(hook.requests.every((r) => r.body.type === VALIDATION_EVENT_TYPE)).toBe(true);
		expect(hook.requests).toHaveLength(9); // 1 + 3 cooldown + 5 scheduled
		expect(emu.subscriptions.deadLetters.at(-1)?.reason).toBe('HTTP 500');
	});

	it('retries a failed push 11 times (12 attempts), then dead-letters it', async () => {
		await subscribe({ typeFilter: 'app.instance.created' });
		await emu.subscriptions.idle();
		hook.answer = () => 503;
		const before = emu.subscriptions.deadLetters.length;
		const [created] = completed().filter((e) => e.type === 'app.instance.created');
		await emu.subscriptions.idle();
		const tries = hook.requests.filter((r) => r.body.id === created.id);
		expect(tries).toHaveLength(PUSH_RETRY_DELAYS_MS.length + 1);
		expect(emu.subscriptions.deadLetters.length).toBe(before + 1);
	});

	it('retries after a 500 and stops at the first 2xx', async () => {
		await subscribe({ typeFilter: 'app.instance.created' });
		await emu.subscriptions.idle();
		let failures = 0;
		hook.answer = (_n, push) => (push.body.type === 'app.instance.created' && failures++ < 2 ? 500 : 200);
		const [created] = completed().filter((e) => e.type === 'app.instance.created');
		await emu.subscriptions.idle();
		expect(hook.requests.filter((r) => r.body.id === created.id)).toHaveLength(3);
	});

	it('the subscription cache: a new subscription misses events, a deleted one still gets them', async () => {
		emu.knobs.subscriptionCacheMs = 60_000;
		completed(); // caches "no subscriptions" for these keys
		const sub = await subscribe();
		await emu.subscriptions.idle();
		completed();
		await emu.subscriptions.idle();
		expect(hook.requests.filter((r) => r.body.type !== VALIDATION_EVENT_TYPE)).toHaveLength(0);

		emu.knobs.subscriptionCacheMs = 0;
		await call('DELETE', `${api}/${sub.json.id}`);
		const again = await subscribe();
		await emu.subscriptions.idle();
		emu.knobs.subscriptionCacheMs = 60_000;
		const fresh = emu.world.addParty({ orgNumber: '310000003', name: 'NY AS' }).partyId; // cache keys not seen before
		completed(fresh); // caches the list with `again`
		await call('DELETE', `${api}/${again.json.id}`);
		const afterDelete = completed(fresh);
		await emu.subscriptions.idle();
		const ids = hook.requests.map((r) => r.body.id);
		expect(afterDelete.every((e) => ids.includes(e.id))).toBe(true);
	});

	it('pushes only to loopback addresses', async () => {
		emu.subscriptions.subscriptions.clear();
		await subscribe({ endPoint: 'https://example.com/hook' });
		await emu.subscriptions.idle();
		expect(emu.subscriptions.attempts.at(-1)).toMatchObject({ status: 0 });
		expect(hook.requests).toHaveLength(0);
	});
});
