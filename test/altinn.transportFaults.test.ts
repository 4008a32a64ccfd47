/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * The transport under faults that real networks and real Altinn produce: a stalled answer,
 * Storage's transient 500, an answer cut short or not JSON, a lost answer to a delete, and a
 * link that points away from Altinn. Real n8n-core executions against the emulator.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { clearTokenCache } from '../credentials/maskinporten';
import { TOKEN_TIMEOUTS } from '../credentials/maskinporten/tokenClient';
import { RETRY } from '../nodes/Altinn/transport/request';
import { appValue, startAltinnEnv, type AltinnEnv } from './support/altinnNode';

let env: AltinnEnv;
const savedDelay = RETRY.baseDelayMs;

beforeAll(async () => {
	env = await startAltinnEnv();
	RETRY.baseDelayMs = 10;
	// Warm the token cache, so that the first attempt of a timed test is not also fetching a token.
	await env.run({ resource: 'instance', operation: 'get', instanceId: env.seed.instances.active });
});

afterAll(async () => {
	RETRY.baseDelayMs = savedDelay;
	await env.close();
});

afterEach(() => env.emu.faults.clear());

const counter = (name: string) => env.emu.counters.get(`route.${name}`);
const get = (instanceId: string, extra: IDataObject = {}): INodeParameters => ({ resource: 'instance', operation: 'get', instanceId, ...extra });
const search = (extra: IDataObject = {}): INodeParameters => ({ resource: 'instance', operation: 'search', org: 'ttd', app: appValue('demo-app'), ...extra });
const download = (instanceId: string, dataElementId: string, extra: IDataObject = {}): INodeParameters => ({
	resource: 'dataElement',
	operation: 'download',
	org: 'ttd',
	app: appValue('demo-app'),
	instanceId,
	dataElementId,
	...extra,
});
const create = (): INodeParameters => ({
	resource: 'instance',
	operation: 'create',
	org: 'ttd',
	app: appValue('demo-app'),
	ownerType: 'organisationNumber',
	organisationNumber: '310000001',
});

describe('timeouts', () => {
	// 2 s, not 1: the second attempt starts only while half a timeout of the budget is left, so a
	// busy machine's timer lag up to 1 s still gives the two attempts the budget allows.
	it('a stalled GET fails within the retry budget (two attempts of a 2 s timeout), naming what timed out', async () => {
		env.emu.faults.add({ route: 'storage.instance.get', status: 'stall', times: 10 });
		const before = counter('storage.instance.get');
		const { error } = await env.run(get(env.seed.instances.active, { requestOptions: { timeout: 2 } }));
		expect(counter('storage.instance.get') - before).toBe(2);
		expect(error?.message).toBe(`Altinn Storage did not answer GET instance ${env.seed.instances.active} within 2 s`);
		expect(error?.description).toContain('Tried 2 times.');
		expect(error?.description).toContain('Request Options > Timeout');
	}, 20_000);

	it('a download that stops part way fails once no data came for the timeout, naming what', async () => {
		env.emu.faults.add({ route: 'storage.data.get', status: 'stallMidBody' });
		const id = env.seed.instances.active;
		const element = env.seed.dataElements.activePdf;
		const { error } = await env.run(download(id, element, { requestOptions: { timeout: 1 } }));
		expect(error?.message).toBe(`Altinn Storage sent no data for 1 s while GET data element ${element} of instance ${id} was being downloaded`);
	}, 20_000);

	it('a download whose connection is cut part way names the lost connection, not a timeout', async () => {
		env.emu.faults.add({ route: 'storage.data.get', status: 'cutMidBody' });
		const id = env.seed.instances.active;
		const element = env.seed.dataElements.activePdf;
		const { error } = await env.run(download(id, element));
		expect(error?.message).toMatch(new RegExp(`^The connection to Altinn at 127\\.0\\.0\\.1:\\d+ was lost while data element ${element} of instance ${id} was being downloaded$`));
		expect(error?.description).toContain('Nothing was stored.');
	}, 20_000);

	it('a stalled create is not repeated, and says it may have taken effect', async () => {
		env.emu.faults.add({ route: 'app.instances.createPrefill', status: 'stall', times: 10 });
		const before = counter('app.instances.createPrefill');
		const { error } = await env.run({ ...create(), requestOptions: { timeout: 1 } });
		expect(counter('app.instances.createPrefill') - before).toBe(1);
		expect(error?.message).toMatch(/^The Altinn app ttd\/demo-app did not answer POST a new instance of ttd\/demo-app .* within 1 s; the request may still have taken effect$/);
		expect(error?.description).toContain('not safe to repeat');
	}, 20_000);
});

describe('token requests time out too', () => {
	it('a stalled Maskinporten fails within the token budget, naming the request', async () => {
		const saved = { ...TOKEN_TIMEOUTS };
		// After the first 1 s attempt and the 300 ms pause, 1.7 s of the budget is left (a second
		// attempt needs 0.5 s, so timer lag on a busy machine does not matter); after the second
		// and the 1.2 s pause nothing is.
		Object.assign(TOKEN_TIMEOUTS, { requestMs: 1000, budgetMs: 3000 });
		try {
			clearTokenCache();
			env.credentials.patchStoredData('cred-1', { accessToken: '' });
			env.emu.faults.add({ route: 'maskinporten.token', status: 'stall', times: 10 });
			const before = counter('maskinporten.token');
			const { error } = await env.run(get(env.seed.instances.active));
			expect(counter('maskinporten.token') - before).toBe(2);
			expect(error?.message).toBe(`Could not reach Maskinporten: POST ${env.emu.credentialUrls.maskinportenUrl}token (no answer within 1 s; tried 2 times)`);
		} finally {
			Object.assign(TOKEN_TIMEOUTS, saved);
		}
	}, 20_000);
});

describe('Storage 500 on reads', () => {
	// altinn-storage InstancesController.ExecuteQueryAndBuildResponse (d9364e4): a transient
	// database error answers 500 "Unable to perform query on instances due to: …".
	it('a search retries the 500 and succeeds', async () => {
		env.emu.faults.add({ route: 'storage.instances.query', status: 500, body: 'Unable to perform query on instances due to: timeout', times: 2 });
		const before = counter('storage.instances.query');
		const { json, error } = await env.run(search({ limit: 1 }));
		expect(error).toBeUndefined();
		expect(json).toHaveLength(1);
		expect(counter('storage.instances.query') - before).toBe(3);
	});

	it('a write that met a 500 is sent once', async () => {
		env.emu.faults.add({ route: 'storage.instance.readstatus', status: 500, times: 3 });
		const before = counter('storage.instance.readstatus');
		const { error } = await env.run({ resource: 'instance', operation: 'setReadStatus', instanceId: env.seed.instances.active, status: 'Read' });
		expect(counter('storage.instance.readstatus') - before).toBe(1);
		expect(error?.httpCode).toBe('500');
	});
});

describe('answers cut short or not JSON', () => {
	it('a Get whose answer is cut in half is retried and succeeds', async () => {
		env.emu.faults.add({ route: 'storage.instance.get', status: 'truncate' });
		const before = counter('storage.instance.get');
		const { json, error } = await env.run(get(env.seed.instances.active));
		expect(error).toBeUndefined();
		expect(json[0].id).toBe(env.seed.instances.active);
		expect(counter('storage.instance.get') - before).toBe(2);
	});

	it('a Get whose answer is always cut short fails, saying so', async () => {
		env.emu.faults.add({ route: 'storage.instance.get', status: 'truncate', times: 10 });
		const { error, json } = await env.run(get(env.seed.instances.active));
		expect(json).toEqual([]);
		expect(error?.message).toMatch(new RegExp(`^(The answer from Altinn to instance ${env.seed.instances.active} was cut short or is not valid JSON|The connection to Altinn at .* was lost during instance ${env.seed.instances.active})$`));
	});

	it('a Get answered 200 with a body that is not the JSON it claims fails, saying so', async () => {
		env.emu.faults.add({ route: 'storage.instance.get', status: 200, body: '<html>Gateway</html>', headers: { 'Content-Type': 'application/json' }, times: 10 });
		const before = counter('storage.instance.get');
		const { error } = await env.run(get(env.seed.instances.active));
		expect(error?.message).toBe(`The answer from Altinn to instance ${env.seed.instances.active} was cut short or is not valid JSON`);
		expect(counter('storage.instance.get') - before).toBe(5);
	});

	it('a create whose answer is cut short after the app created the instance is an error that says what to check', async () => {
		env.emu.faults.add({ route: 'app.instances.createPrefill', status: 'truncate' });
		const before = env.emu.world.instances.size;
		const { error, json } = await env.run(create());
		expect(json).toEqual([]);
		expect(env.emu.world.instances.size).toBe(before + 1);
		expect(error?.message).toMatch(/the request may still have taken effect$/);
		expect(error?.description).toMatch(/Search for instances of ttd\/demo-app for organisation 310000001 created after/);
	});
});

describe('a delete whose answer was lost', () => {
	it('a data element delete retried after the first attempt took effect counts the 404 as done', async () => {
		const id = env.seed.instances.active;
		const element = env.seed.dataElements.activeTxt;
		env.emu.faults.add({ route: 'app.data.delete', status: 'loseAnswer' });
		const before = counter('app.data.delete');
		const { json, error } = await env.run({ resource: 'dataElement', operation: 'delete', org: 'ttd', app: appValue('demo-app'), instanceId: id, dataElementId: element });
		expect(error).toBeUndefined();
		expect(json[0]).toMatchObject({ deleted: true, id: element, instanceId: id });
		expect(counter('app.data.delete') - before).toBe(2);
	});

	it('a 404 on a first attempt is still an error', async () => {
		const { error } = await env.run({
			resource: 'dataElement',
			operation: 'delete',
			org: 'ttd',
			app: appValue('demo-app'),
			instanceId: env.seed.instances.active,
			dataElementId: '00000000-0000-4000-8000-000000000000',
		});
		expect(error?.httpCode).toBe('404');
	});
});

describe('the token goes only to Altinn', () => {
	let spy: Server;
	let spyUrl: string;
	const seen: IncomingMessage['headers'][] = [];
	beforeAll(async () => {
		spy = createServer((req, res) => {
			seen.push(req.headers);
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ count: 0, next: null, instances: [] }));
		});
		await new Promise<void>((resolve) => spy.listen(0, '127.0.0.1', resolve));
		spyUrl = `http://127.0.0.1:${(spy.address() as AddressInfo).port}`;
	});
	afterAll(async () => await new Promise<void>((resolve) => spy.close(() => resolve())));
	beforeEach(() => (seen.length = 0));

	// (inferred) Not an Altinn behaviour: a poisoned or misrouted `next` link, as a proxy, a
	// compromised backend or a misconfigured base URI could produce.
	it('a Storage next link to another host is refused, naming the host, and gets no token', async () => {
		env.emu.faults.add({
			route: 'storage.instances.query',
			status: 200,
			body: { count: 1, next: `${spyUrl}/storage/api/v1/instances?appId=ttd/demo-app&continuationToken=x`, instances: [{ id: env.seed.instances.active }] },
		});
		const { error } = await env.run(search({ returnAll: true }));
		expect(seen).toHaveLength(0);
		expect(error?.message).toBe(`Refused to send the Altinn token to ${new URL(spyUrl).host} (instances of ttd/demo-app)`);
		expect(error?.description).toContain("outside the credential's Altinn environment");
	});

	it('an Events next header to another host is refused, and gets no token', async () => {
		env.emu.faults.add({
			route: 'events.app.query',
			status: 200,
			headers: { next: `${spyUrl}/events/api/v1/app/ttd/demo-app?after=x`, 'Content-Type': 'application/cloudevents+json' },
			body: [{ id: 'e1', type: 'app.instance.created', source: 'x', specversion: '1.0' }],
		});
		const { error } = await env.run({ resource: 'event', operation: 'getAppEvents', org: 'ttd', app: appValue('demo-app'), start: 'after', after: '0', returnAll: true });
		expect(seen).toHaveLength(0);
		expect(error?.message).toContain(`Refused to send the Altinn token to ${new URL(spyUrl).host}`);
	});
});

describe('plain http:// only to this machine', () => {
	it('a Custom Altinn Platform URL over plain http to a network host is refused before any grant, naming the field', async () => {
		const data = { ...env.credentials.getStoredData('cred-1'), altinnPlatformUrl: 'http://platform.example.test' };
		env.credentials.add({ id: 'cred-plain-http', name: 'Plain http', type: 'maskinportenApi', data });
		const grants = env.emu.counters.get('maskinporten.grants');
		const { error } = await env.run(get(env.seed.instances.active), { credential: 'cred-plain-http' });
		expect(error?.message).toBe(
			'The Maskinporten credential cannot be used: Altinn Platform URL "http://platform.example.test" uses plain http:// to platform.example.test: the grant and the tokens would travel unencrypted. Use https://, or http:// only to this machine (localhost, 127.0.0.1, ::1) for a local emulator.',
		);
		expect(error?.description).toContain('Altinn Platform URL');
		expect(env.emu.counters.get('maskinporten.grants')).toBe(grants);
	});
});

describe('input refused before any request', () => {
	const queries = () => counter('storage.instances.query');
	it.each([-5, 0, 2.5])('a Limit of %p', async (limit) => {
		const before = queries();
		const { error } = await env.run(search({ limit }));
		expect(error?.message).toBe(`Limit ${limit} is not a whole number of at least 1`);
		expect(error?.description).toBe('Set Limit to how many results you want (e.g. 50), or turn on Return All.');
		expect(queries()).toBe(before);
	});

	it('an Events limit of -1', async () => {
		const before = counter('events.app.query');
		const { error } = await env.run({ resource: 'event', operation: 'getAppEvents', org: 'ttd', app: appValue('demo-app'), start: 'after', after: '0', limit: -1 });
		expect(error?.message).toBe('Limit -1 is not a whole number of at least 1');
		expect(counter('events.app.query')).toBe(before);
	});

	it('Created After later than Created Before says what to do', async () => {
		const { error } = await env.run(search({ filters: { createdAfter: '2024-03-01T00:00:00Z', createdBefore: '2024-02-01T00:00:00Z' } }));
		expect(error?.message).toBe('Created After (2024-03-01T00:00:00.000Z) is not before Created Before (2024-02-01T00:00:00.000Z)');
		expect(error?.description).toBe('The range would match nothing. Set Created After to an earlier time than Created Before, swap the two, or clear one of them.');
	});

	it('an App typed By URL that is not a URL is flagged on the node, naming the field, with an example', async () => {
		await expect(env.run(search({ app: { __rl: true, mode: 'url', value: 'demo-app' } }))).rejects.toThrow(
			'App: give the app URL, e.g. https://ttd.apps.tt02.altinn.no/ttd/my-app',
		);
	});

	it('an App By URL from an expression that is not a URL names the field, with an example', async () => {
		const { error } = await env.run(search({ app: { __rl: true, mode: 'url', value: '={{ "demo-app" }}' } }));
		expect(error?.message).toBe('App "demo-app" is not an app URL');
		expect(error?.description).toContain('https://ttd.apps.tt02.altinn.no/ttd/my-app');
	});

	it('an App given By URL is read from the URL', async () => {
		const { json, error } = await env.run(search({ app: { __rl: true, mode: 'url', value: 'https://ttd.apps.tt02.altinn.no/ttd/demo-app' }, limit: 1 }));
		expect(error).toBeUndefined();
		expect(json[0].appId).toBe('ttd/demo-app');
	});
});

describe('the router', () => {
	it('a programming error is an internal error of the node, not an Altinn API error, and keeps its item index', async () => {
		// (inferred) Not an Altinn behaviour: an answer of an unexpected shape, to make the operation fail with a TypeError.
		env.emu.faults.add({ route: 'storage.instances.query', status: 200, body: { count: 1, instances: 5 }, after: 1 });
		const { error } = await env.run(search({ limit: 1 }), { items: [{ json: {} }, { json: {} }] });
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toMatch(/^Internal error in the Altinn node: /);
		expect(error?.description).toContain('not an answer from Altinn');
		expect((error?.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
	});

	it('an Altinn error of the second item keeps its item index', async () => {
		env.emu.faults.add({ route: 'storage.instance.get', status: 404, body: 'Unable to find instance', after: 1 });
		const { error } = await env.run(get(env.seed.instances.active), { items: [{ json: {} }, { json: {} }] });
		expect(error?.httpCode).toBe('404');
		expect((error?.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
	});

	it('an operation error raised without an item index gets the item index', async () => {
		const data = { ...env.credentials.getStoredData('cred-1'), altinnAppsUrl: '' };
		env.credentials.add({ id: 'cred-no-apps', name: 'No apps URL', type: 'maskinportenApi', data });
		const { error } = await env.run(get(env.seed.instances.active), { credential: 'cred-no-apps' });
		expect(error?.message).toBe('The Maskinporten credential cannot be used: Altinn Apps URL is required when Environment is Custom');
		expect((error?.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(0);
	});
});
