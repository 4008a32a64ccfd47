/**
 * What users see when things go wrong, and how the node behaves: retries on transient failures
 * for requests that are safe to repeat, none for instantiate, continueOnFail with pairedItem,
 * batching, and the system user per item. Real n8n-core executions against the emulator.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { RETRY } from '../nodes/Altinn/transport/request';
import { startAltinnEnv, SYSTEM_USER_ORGS, type AltinnEnv } from './support/altinnNode';

let env: AltinnEnv;
const savedDelay = RETRY.baseDelayMs;

beforeAll(async () => {
	env = await startAltinnEnv();
	RETRY.baseDelayMs = 10; // keep backoff short; Retry-After is still honoured
});

afterAll(async () => {
	RETRY.baseDelayMs = savedDelay;
	await env.close();
});

afterEach(() => env.emu.faults.clear());

const app = { __rl: true, mode: 'list', value: 'demo-app' };
const get = (instanceId: string) => ({ resource: 'instance', operation: 'get', instanceId });
const counter = (name: string) => env.emu.counters.get(`route.${name}`);
const create = (extra: IDataObject = {}): INodeParameters => ({
	resource: 'instance',
	operation: 'create',
	org: 'ttd',
	app,
	ownerType: 'organisationNumber',
	organisationNumber: '310000001', // the seeded organisation party
	...extra,
});

describe('retries for requests that are safe to repeat', () => {
	it('retries 503 and succeeds', async () => {
		env.emu.faults.add({ route: 'storage.instance.get', status: 503, times: 2 });
		const before = counter('storage.instance.get');
		const { json, error } = await env.run(get(env.seed.instances.active));
		expect(error).toBeUndefined();
		expect(json[0].id).toBe(env.seed.instances.active);
		expect(counter('storage.instance.get') - before).toBe(3);
	});

	it('retries 502, 504 and a connection reset', async () => {
		env.emu.faults.add({ route: 'storage.instances.query', status: 502 });
		env.emu.faults.add({ route: 'storage.instances.query', status: 504 });
		env.emu.faults.add({ route: 'storage.instances.query', status: 'reset' });
		const before = counter('storage.instances.query');
		const { json, error } = await env.run({ resource: 'instance', operation: 'search', org: 'ttd', app, returnAll: true });
		expect(error).toBeUndefined();
		expect(json.length).toBeGreaterThan(0);
		expect(counter('storage.instances.query') - before).toBe(4);
	});

	it('honours Retry-After on 429', async () => {
		env.emu.faults.add({ route: 'storage.instance.get', status: 429, headers: { 'Retry-After': '1' } });
		const started = Date.now();
		const { error } = await env.run(get(env.seed.instances.active));
		expect(error).toBeUndefined();
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
	});

	it('gives up after five attempts and says so', async () => {
		env.emu.faults.add({ route: 'storage.instance.get', status: 503, times: 10 });
		const before = counter('storage.instance.get');
		const { error } = await env.run(get(env.seed.instances.active));
		expect(counter('storage.instance.get') - before).toBe(5);
		expect(error?.message).toBe(`Altinn failed to handle instance ${env.seed.instances.active} (503)`);
		expect(error?.description).toContain('Gave up after 5 attempts.');
		expect(error?.httpCode).toBe('503');
	});

	it('does not retry a 400', async () => {
		env.emu.faults.add({ route: 'storage.instance.get', status: 400, body: 'Bad thing', times: 3 });
		const before = counter('storage.instance.get');
		const { error } = await env.run(get(env.seed.instances.active));
		expect(counter('storage.instance.get') - before).toBe(1);
		expect(error?.message).toBe(`Altinn rejected the request for instance ${env.seed.instances.active} as invalid: Bad thing`);
	});
});

describe('instantiate is never repeated after an ambiguous failure', () => {
	it('a connection reset is not retried, and the message says what to check', async () => {
		env.emu.faults.add({ route: 'app.instances.createPrefill', status: 'reset' });
		const before = counter('app.instances.createPrefill');
		const instancesBefore = env.emu.world.instances.size;
		const { error } = await env.run(create());
		expect(counter('app.instances.createPrefill') - before).toBe(1);
		expect(env.emu.world.instances.size).toBe(instancesBefore);
		expect(error?.message).toBe(
			`The connection to Altinn was lost during a new instance of ttd/demo-app for organisation ${env.seed.parties.org.orgNumber}; the request may still have taken effect`,
		);
		expect(error?.description).toMatch(
			new RegExp(`Search for instances of ttd/demo-app for organisation ${env.seed.parties.org.orgNumber} created after \\d{4}-\\d{2}-\\d{2}T`),
		);
	});

	it('a 503 is not retried either', async () => {
		env.emu.faults.add({ route: 'app.instances.createPrefill', status: 503 });
		const before = counter('app.instances.createPrefill');
		const { error } = await env.run(create());
		expect(counter('app.instances.createPrefill') - before).toBe(1);
		expect(error?.message).toBe('Altinn failed (503) while handling a new instance of ttd/demo-app for organisation 310000001; the request may still have taken effect');
		expect(error?.description).toContain('not safe to repeat');
	});

	it('multipart instantiation is not retried after a reset', async () => {
		env.emu.faults.add({ route: 'app.instances.create', status: 'reset' });
		const before = counter('app.instances.create');
		const { error } = await env.run(
			create({ createOptions: { dataParts: { parts: [{ dataType: 'attachment', binaryPropertyName: 'data' }] } } }),
			{ items: [{ json: {}, binary: { data: { data: Buffer.from('hei').toString('base64'), mimeType: 'text/plain', fileName: 'a.txt' } } }] },
		);
		expect(counter('app.instances.create') - before).toBe(1);
		expect(error?.message).toContain('the request may still have taken effect');
	});
});

describe('input refused before any request', () => {
	const cases: Array<[string, INodeParameters, string]> = [
		['an org number that is not 9 digits', create({ organisationNumber: '12345' }), 'Organisation Number "12345" is not an organisation number'],
		['a national identity number that is not 11 digits', create({ ownerType: 'personNumber', personNumber: '123' }), 'National Identity Number is not 11 digits'],
		['a party ID that is not a number', create({ ownerType: 'partyId', partyId: 'abc' }), 'Party ID "abc" is not a party ID'],
		['a due date that is not a date', create({ createOptions: { dueBefore: 'soon' } }), 'Due Before "soon" is not a date'],
		['an unknown data type', create({ createOptions: { dataParts: { parts: [{ dataType: 'nope', binaryPropertyName: 'data' }] } } }), 'Data Type "nope" is not a data type of ttd/demo-app'],
		['a bad org', { resource: 'application', operation: 'list', org: 'T T D' }, 'Org "t t d" is not a service owner code'],
	];
	it.each(cases)('%s', async (_, parameters, message) => {
		const instantiations = counter('app.instances.createPrefill') + counter('app.instances.create');
		const { error } = await env.run(parameters);
		expect(error?.message).toBe(message);
		expect(counter('app.instances.createPrefill') + counter('app.instances.create')).toBe(instantiations);
	});

	it('a missing binary field names the field', async () => {
		const { error } = await env.run(create({ createOptions: { dataParts: { parts: [{ dataType: 'attachment', binaryPropertyName: 'missing' }] } } }));
		expect(error?.message).toContain('missing');
	});
});

describe('errors that speak Altinn', () => {
	it('an empty 401 after n8n refreshed the token once', async () => {
		env.emu.faults.add({ route: 'storage.instance.get', status: 401, times: 2 });
		const { error } = await env.run(get(env.seed.instances.active));
		expect(error?.message).toBe(`Altinn did not accept the access token (401) for instance ${env.seed.instances.active}`);
		expect(error?.description).toContain("credential's Environment");
	});

	it('an empty 403 for a token without the read scope', async () => {
		const { error } = await env.run({ resource: 'instance', operation: 'search', org: 'ttd', app, returnAll: true }, { credential: 'cred-write' });
		expect(error?.message).toBe('Altinn refused access to instances of ttd/demo-app (403 Forbidden)');
		expect(error?.description).toContain('altinn:serviceowner/instances.read');
	});

	it('a JSON-quoted Storage string is shown as text', async () => {
		env.emu.faults.add({ route: 'storage.instance.get', status: 404, body: '"Unable to find instance x"' });
		const { error } = await env.run(get(env.seed.instances.active));
		expect(error?.message).toBe(`Not found: instance ${env.seed.instances.active}`);
		expect(error?.description).toContain('Altinn said: Unable to find instance x');
	});

	it('a ProblemDetails 409 lists its validation issues readably', async () => {
		env.emu.faults.add({
			route: 'app.instances.createPrefill',
			status: 409,
			body: {
				title: 'Conflict',
				status: 409,
				detail: 'Process could not start',
				validationIssues: [{ severity: 1, code: 'required', field: 'Skjema.Navn', description: 'Navn er påkrevd' }],
			},
		});
		const { error } = await env.run(create());
		expect(error?.message).toBe(
			'Altinn refused the change to a new instance of ttd/demo-app for organisation 310000001 because of its state (409 Conflict): Conflict: Process could not start',
		);
		expect(error?.description).toContain('- Error: Navn er påkrevd (field Skjema.Navn, code required)');
	});

	it('a 413 says the file is too large', async () => {
		env.emu.faults.add({ route: 'app.instances.createPrefill', status: 413, body: { title: 'Payload Too Large', status: 413 } });
		const { error } = await env.run(create());
		expect(error?.message).toBe('The file is too large for a new instance of ttd/demo-app for organisation 310000001 (413)');
	});

	it('never shows a token', async () => {
		env.emu.faults.add({ route: 'storage.instance.get', status: 401, times: 2 });
		const { error } = await env.run(get(env.seed.instances.active));
		const text = `${error?.message} ${error?.description}`;
		expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
		expect(text).not.toMatch(/Bearer/);
	});
});

describe('continueOnFail and pairedItem', () => {
	it('gives one error item per failed input item, paired with it, and goes on', async () => {
		const items: INodeExecutionData[] = [
			{ json: { id: env.seed.instances.active } },
			{ json: { id: 'not-an-id' } },
			{ json: { id: '50001001/00000000-0000-4000-8000-000000000000' } },
			{ json: { id: env.seed.instances.archived } },
		];
		const { items: out } = await env.run(get('={{ $json.id }}'), { items, continueOnFail: true });
		expect(out).toHaveLength(4);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out[0].json.id).toBe(env.seed.instances.active);
		expect(out[1].json.error).toBe('Instance ID "not-an-id" is not an instance ID');
		expect(out[2].json.error).toMatch(/instance 50001001\/00000000-0000-4000-8000-000000000000/);
		expect(out[3].json.id).toBe(env.seed.instances.archived);
	});

	it('pairs every item of a multi-item result with its input', async () => {
		const { items: out } = await env.run(
			{ resource: 'instance', operation: 'search', org: 'ttd', app: { __rl: true, mode: 'list', value: '={{ $json.app }}' }, returnAll: true },
			{ items: [{ json: { app: 'demo-app' } }, { json: { app: 'quiet-app' } }] },
		);
		const byPair = (k: number) => out.filter((i) => (i.pairedItem as { item: number }).item === k).map((i) => i.json.appId);
		expect(byPair(0).length).toBeGreaterThan(0);
		expect(new Set(byPair(0))).toEqual(new Set(['ttd/demo-app']));
		expect(new Set(byPair(1))).toEqual(new Set(['ttd/quiet-app']));
	});
});

describe('batching', () => {
	it('runs items concurrently per batch, pauses between batches, and keeps the input order', async () => {
		const ids = [env.seed.instances.active, env.seed.instances.archived, env.seed.instances.awaitingConfirmation, env.seed.instances.archivedConfirmed, env.seed.instances.active];
		env.emu.knobs.latencyMs = 150;
		try {
			env.emu.counters.reset();
			const started = Date.now();
			const { items } = await env.run(
				{ ...get('={{ $json.id }}'), requestOptions: { batching: { batch: { batchSize: 2, batchInterval: 100 } } } },
				{ items: ids.map((id) => ({ json: { id } })) },
			);
			const elapsed = Date.now() - started;
			expect(items.map((i) => i.json.id)).toEqual(ids);
			expect(items.map((i) => (i.pairedItem as { item: number }).item)).toEqual([0, 1, 2, 3, 4]);
			// concurrent within a batch, never more than the batch at once (no upper time bound: a busy machine only adds)
			expect(env.emu.counters.get('peak.inFlight')).toBe(2);
			// 3 batches of ≥150 ms each + 2 pauses of 100 ms: a floor that load cannot break
			expect(elapsed).toBeGreaterThanOrEqual(3 * 150 + 2 * 100);
		} finally {
			env.emu.knobs.latencyMs = 0;
		}
	});
});

describe('system user per item', () => {
	it("uses each customer's system user token, cached and reused per org", async () => {
		const grants = env.emu.counters.get('maskinporten.grants');
		const items = [SYSTEM_USER_ORGS[0], SYSTEM_USER_ORGS[1], SYSTEM_USER_ORGS[0], SYSTEM_USER_ORGS[1]].map((org) => ({ json: { org } }));
		const { items: out, error } = await env.run(
			{ ...get(env.seed.instances.active), requestOptions: { systemUserOrg: '={{ $json.org }}' } },
			{ items },
		);
		expect(error).toBeUndefined();
		expect(out).toHaveLength(4);
		// One grant per customer org, reused for its second item.
		expect(env.emu.counters.get('maskinporten.grants') - grants).toBe(2);
		const run2 = await env.run({ ...get(env.seed.instances.active), requestOptions: { systemUserOrg: SYSTEM_USER_ORGS[0] } });
		expect(run2.error).toBeUndefined();
		expect(env.emu.counters.get('maskinporten.grants') - grants).toBe(2);
	});

	it('does not write the system user token into the credential', async () => {
		const { updates, preAuthenticationCalls } = env.credentials.counters;
		const { error } = await env.run({ ...get(env.seed.instances.active), requestOptions: { systemUserOrg: SYSTEM_USER_ORGS[1] } });
		expect(error).toBeUndefined();
		// Neither n8n's preAuthentication nor a credential update took part in the request.
		expect(env.credentials.counters.updates).toBe(updates);
		expect(env.credentials.counters.preAuthenticationCalls).toBe(preAuthenticationCalls);
	});

	it('after a 401 gets a fresh system user token once and resends', async () => {
		const org = SYSTEM_USER_ORGS[0];
		await env.run({ ...get(env.seed.instances.active), requestOptions: { systemUserOrg: org } }); // token cached
		const grants = env.emu.counters.get('maskinporten.grants');
		env.emu.faults.add({ route: 'storage.instance.get', status: 401 });
		const { error, json } = await env.run({ ...get(env.seed.instances.active), requestOptions: { systemUserOrg: org } });
		expect(error).toBeUndefined();
		expect(json[0].id).toBe(env.seed.instances.active);
		expect(env.emu.counters.get('maskinporten.grants') - grants).toBe(1);
	});

	it('names the organisation when it has no system user', async () => {
		const { error } = await env.run({ ...get(env.seed.instances.active), requestOptions: { systemUserOrg: '999999999' } });
		expect(error?.message).toMatch(/^Cannot get a token for the system user of organisation 999999999: /);
	});

	it('refuses a System User Org from item data that is not in Allowed System User Orgs, before any token is requested', async () => {
		const gets = env.emu.counters.get('route.storage.instance.get');
		const items = [{ json: { org: SYSTEM_USER_ORGS[0] } }, { json: { org: SYSTEM_USER_ORGS[1] } }];
		const requestOptions = { systemUserOrg: '={{ $json.org }}', allowedSystemUserOrgs: `0192:${SYSTEM_USER_ORGS[0]}, 910753614` };
		const { json } = await env.run({ ...get(env.seed.instances.active), requestOptions }, { items, continueOnFail: true });
		expect(json[0].id).toBe(env.seed.instances.active);
		expect(json[1]).toMatchObject({ error: `System User Org "${SYSTEM_USER_ORGS[1]}" is not in Allowed System User Orgs` });
		expect(json[1].description).toMatch(/Allowed System User Orgs/);
		// Only the allowed item reached Altinn.
		expect(env.emu.counters.get('route.storage.instance.get') - gets).toBe(1);
		const bad = await env.run({ ...get(env.seed.instances.active), requestOptions: { systemUserOrg: SYSTEM_USER_ORGS[0], allowedSystemUserOrgs: 'acme' } });
		expect(bad.error?.message).toBe('Allowed System User Orgs: "acme" is not an organisation number');
	});

	it('refuses a system user org that is not an organisation number', async () => {
		const { error } = await env.run({ ...get(env.seed.instances.active), requestOptions: { systemUserOrg: '12' } });
		expect(error?.message).toBe('System User Org "12" is not an organisation number');
	});
});
