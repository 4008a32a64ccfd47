/**
 * The Altinn Events Trigger through real n8n-core Hook/WebhookContexts (harness `WebhookTrigger`,
 * served like n8n's production webhooks) against the emulator's Events subscriptions and push.
 * Retry delays are scaled down 1000× (pushTimeScale): the handshake's 9 attempts fit in half a second.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { MaskinportenApi } from '../credentials/MaskinportenApi.credentials';
import { AltinnEventsTrigger } from '../nodes/AltinnEventsTrigger/AltinnEventsTrigger.node';
import { startEmulator, type Emulator } from './emulator';
import type { RegisteredJwk } from './emulator/maskinporten';
import { demoApps, DIGDIR, TTD } from './emulator/seed';
import { VALIDATION_EVENT_TYPE } from './emulator/subscriptions';
import { TestCredentialsHelper, WebhookTrigger } from './harness';
import { emulatorJwkCredential } from './support/credentials';
import { testKey } from './support/keys';

const DEMO = 'ttd/demo-app';
const COMPLETED = 'app.instance.process.completed';

let emu: Emulator;
let credentials: TestCredentialsHelper;
let partyId: number;
let otherParty: number;
const open: WebhookTrigger[] = [];

beforeAll(async () => {
	emu = await startEmulator({ knobs: { pushTimeScale: 0.001, subscriptionCacheMs: 0, allowHttpEndpoints: true } });
	emu.world.addServiceOwner(TTD);
	emu.world.addServiceOwner(DIGDIR);
	partyId = emu.world.addParty({ orgNumber: '310000001', name: 'TESTBEDRIFT AS' }).partyId;
	otherParty = emu.world.addParty({ orgNumber: '310000002', name: 'ANNEN AS' }).partyId;
	for (const app of demoApps()) emu.world.addApplication(app);
	const key = testKey('events-trigger-key');
	const scopes = 'altinn:serviceowner/instances.read altinn:serviceowner/instances.write';
	emu.maskinporten.registerClient({ clientId: 'events-client', orgNumber: TTD.orgNumber, scopes: scopes.split(' '), jwks: [key.publicJwk as RegisteredJwk] });
	credentials = new TestCredentialsHelper(
		[new MaskinportenApi()],
		[{ id: 'cred-1', name: 'Maskinporten', type: 'maskinportenApi', data: emulatorJwkCredential(emu, key, 'events-client', scopes, { algorithm: 'RS256', exchangeToAltinn: true }) }],
	);
});

afterAll(async () => await emu.close());

afterEach(async () => {
	emu.faults.clear();
	await emu.subscriptions.idle();
	for (const t of open.splice(0)) await t.close();
	emu.subscriptions.subscriptions.clear();
});

async function trigger(parameters: INodeParameters, staticData?: IDataObject, port = 0): Promise<WebhookTrigger> {
	const t = new WebhookTrigger({
		node: { name: 'Altinn Events Trigger', type: 'n8n-nodes-altinn.altinnEventsTrigger', parameters: { org: 'ttd', app: 'demo-app', ...parameters }, credentials: { maskinportenApi: 'cred-1' } },
		nodeType: new AltinnEventsTrigger(),
		credentials,
		staticData,
	});
	open.push(t);
	return await t.listen(port);
}

/** A submitted instance of the demo app: created, moved on and completed events. */
const submit = (party = partyId) => emu.world.createInstance({ appId: DEMO, partyId: party, task: 'ended' });
const eventsOf = (instanceId: string) => (emu.world.appEvents.get(DEMO) ?? []).filter((e) => e.resourceinstance === instanceId);
const onlySub = () => [...emu.subscriptions.subscriptions.values()];

describe('activation and the validation handshake', () => {
	it('creates one subscription to the production URL with a secret segment and answers the handshake, emitting nothing', async () => {
		const t = await trigger({ typeFilter: COMPLETED });
		expect(await t.activate()).toEqual({ created: true });
		await emu.subscriptions.idle();
		const subs = onlySub();
		expect(subs).toHaveLength(1);
		expect(subs[0]).toMatchObject({ resourceFilter: 'urn:altinn:resource:app_ttd_demo-app', typeFilter: COMPLETED, validated: true });
		expect(subs[0].subjectFilter).toBeUndefined();
		expect(subs[0].endPoint).toMatch(new RegExp(`/webhook/${t.node.webhookId}/[A-Za-z0-9_-]{32}$`));
		expect(t.nodeStaticData).toMatchObject({ subscriptionId: subs[0].id, endPoint: subs[0].endPoint });
		const handshakes = emu.subscriptions.attempts.filter((a) => a.subscriptionId === subs[0].id && a.eventType === VALIDATION_EVENT_TYPE);
		expect(handshakes.at(-1)?.status).toBe(200);
		expect(t.executions).toHaveLength(0);
	});

	it('after an n8n restart checkExists finds the subscription: no second one', async () => {
		const t = await trigger({ typeFilter: COMPLETED });
		await t.activate();
		const port = Number(new URL(onlySub()[0].endPoint).port);
		await t.close(); // n8n stops …
		const restarted = await trigger({ typeFilter: COMPLETED }, t.staticData, port); // … and starts again
		expect(await restarted.activate('init')).toEqual({ created: false });
		expect(onlySub()).toHaveLength(1);
	});

	it('when the webhook URL changed (new WEBHOOK_URL), the old subscription is replaced, not kept', async () => {
		const t = await trigger({});
		await t.activate();
		const old = onlySub()[0];
		const moved = await trigger({}, t.staticData); // another port: another URL
		expect(await moved.activate('init')).toEqual({ created: true });
		expect(onlySub().map((s) => s.id)).not.toContain(old.id);
		expect(onlySub()).toHaveLength(1);
	});

	it('replaces the subscription when it was deleted in Altinn meanwhile', async () => {
		const t = await trigger({});
		await t.activate();
		emu.subscriptions.subscriptions.clear();
		const restarted = await trigger({}, t.staticData);
		expect(await restarted.activate('init')).toEqual({ created: true });
		expect(onlySub()).toHaveLength(1);
	});
});

describe('delivery', () => {
	it('each pushed event starts the workflow once, with the CloudEvent as the item', async () => {
		const t = await trigger({ typeFilter: COMPLETED });
		await t.activate();
		await emu.subscriptions.idle();
		const recs = [submit(), submit(), submit()];
		await emu.subscriptions.idle();
		const expected = recs.flatMap((r) => eventsOf(r.instance.id).filter((e) => e.type === COMPLETED));
		expect(t.executions.map((e) => e.items.length)).toEqual([1, 1, 1]);
		expect(t.executions.map((e) => e.items[0].json.id).sort()).toEqual(expected.map((e) => e.id).sort());
		expect(t.executions[0].items[0].json).toEqual(expected.find((e) => e.id === t.executions[0].items[0].json.id));
	});

	it('filters: only the chosen type and party reach the workflow', async () => {
		const t = await trigger({ typeFilter: 'app.instance.created', partyId: String(partyId) });
		await t.activate();
		await emu.subscriptions.idle();
		expect(onlySub()[0]).toMatchObject({ typeFilter: 'app.instance.created', subjectFilter: `/party/${partyId}` });
		const mine = submit();
		submit(otherParty);
		await emu.subscriptions.idle();
		expect(t.executions.map((e) => e.items[0].json)).toEqual([
			expect.objectContaining({ type: 'app.instance.created', subject: `/party/${partyId}`, resourceinstance: mine.instance.id }),
		]);
	});

	it('a push that failed with 500 is retried by Altinn and starts the workflow once', async () => {
		const t = await trigger({ typeFilter: COMPLETED, fetchInstance: true, downloadData: true });
		await t.activate();
		await emu.subscriptions.idle();
		// Storage refuses the instance read once, with a status the transport does not retry (a 500 to a
		// GET is retried inside the request): webhook() throws, n8n answers 500, Altinn retries the push.
		emu.faults.add({ route: 'storage.instance.get', status: 403, times: 1 });
		const rec = emu.world.createInstance({ appId: DEMO, partyId, task: 'ended', data: [{ dataType: 'attachment', content: 'hello', contentType: 'text/plain', filename: 'a.txt' }] });
		await emu.subscriptions.idle();
		const [completed] = eventsOf(rec.instance.id).filter((e) => e.type === COMPLETED);
		expect(emu.subscriptions.attempts.filter((a) => a.eventId === completed.id).map((a) => a.status)).toEqual([500, 200]);
		expect(t.executions).toHaveLength(1);
		const item = t.executions[0].items[0];
		expect(item.json).toMatchObject({ id: completed.id, instance: { id: rec.instance.id } });
		expect(Object.values(item.binary ?? {}).map((b) => b.fileName)).toContain('a.txt');
	});

	it('a delivery repeated after the answer was lost (same event id) starts nothing the second time', async () => {
		const t = await trigger({ typeFilter: COMPLETED });
		await t.activate();
		await emu.subscriptions.idle();
		const rec = submit();
		await emu.subscriptions.idle();
		const [completed] = eventsOf(rec.instance.id).filter((e) => e.type === COMPLETED);
		const again = await fetch(onlySub()[0].endPoint, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(completed) });
		expect(again.status).toBe(200);
		expect(t.executions).toHaveLength(1);
	});
});

describe('authenticity', () => {
	const post = async (url: string, body: unknown) =>
		(await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).status;

	it('refuses forged events: wrong secret, another app, another type, a handshake for another subscription', async () => {
		const t = await trigger({ typeFilter: COMPLETED });
		await t.activate();
		await emu.subscriptions.idle();
		const endPoint = onlySub()[0].endPoint;
		const rec = submit();
		await emu.subscriptions.idle();
		const [genuine] = eventsOf(rec.instance.id).filter((e) => e.type === COMPLETED);
		const forged = { ...genuine, id: 'f0f0f0f0-0000-4000-8000-000000000001' };
		const wrongSecret = endPoint.replace(/[^/]+$/, 'guessed-secret-guessed-secret-xx');
		expect(await post(wrongSecret, forged)).toBe(403);
		expect(await post(endPoint, { ...forged, resource: 'urn:altinn:resource:app_ttd_other-app' })).toBe(403);
		expect(await post(endPoint, { ...forged, type: 'app.instance.created' })).toBe(403);
		expect(await post(endPoint, { specversion: '1.0', id: 'x', type: VALIDATION_EVENT_TYPE, source: `${emu.url}/events/api/v1/subscriptions/999` })).toBe(403);
		expect(await post(endPoint, 'not an event')).toBe(403);
		expect(t.executions.map((e) => e.items[0].json.id)).toEqual([genuine.id]);
	});
});

describe('deactivation', () => {
	it('deletes the subscription in Altinn and forgets it', async () => {
		const t = await trigger({});
		await t.activate();
		expect(onlySub()).toHaveLength(1);
		await t.deactivate();
		expect(onlySub()).toHaveLength(0);
		expect(t.nodeStaticData.subscriptionId).toBeUndefined();
		submit();
		await emu.subscriptions.idle();
		expect(t.executions).toHaveLength(0);
	});

	it('a subscription already gone in Altinn counts as deleted', async () => {
		const t = await trigger({});
		await t.activate();
		emu.subscriptions.subscriptions.clear();
		await expect(t.deactivate()).resolves.toBeUndefined();
	});
});

describe('settings errors', () => {
	it('names the field and what to do', async () => {
		const t = await trigger({ partyId: 'abc' });
		await expect(t.activate()).rejects.toThrow('Party ID "abc" is not a number');
		expect(onlySub()).toHaveLength(0);
	});

	it('an endpoint Altinn refuses (http) is explained', async () => {
		emu.knobs.allowHttpEndpoints = false;
		try {
			const t = await trigger({});
			await expect(t.activate()).rejects.toThrow('Altinn pushes events only to https URLs');
		} finally {
			emu.knobs.allowHttpEndpoints = true;
		}
	});
});
