/**
 * Instance operations of the Altinn node, each through a real n8n-core execution against the
 * emulator with the real Maskinporten credential.
 */
import type { IDataObject } from 'n8n-workflow';

import { SAMPLE_PDF } from './emulator/seed';
import { startAltinnEnv, type AltinnEnv } from './support/altinnNode';

let env: AltinnEnv;

beforeAll(async () => {
	env = await startAltinnEnv();
});

afterAll(async () => {
	await env.close();
});

afterEach(() => env.emu.faults.clear());

const app = { __rl: true, mode: 'list', value: 'demo-app' };
const instanceParams = (operation: string, instanceId: string, extra: IDataObject = {}) => ({
	resource: 'instance',
	operation,
	instanceId,
	...extra,
});
const ids = (json: IDataObject[]) => json.map((j) => j.id as string).sort();

describe('Instance > Get', () => {
	it('gets an instance by partyId/instanceGuid', async () => {
		const { json, items } = await env.run(instanceParams('get', env.seed.instances.active));
		expect(json).toHaveLength(1);
		expect(json[0].id).toBe(env.seed.instances.active);
		expect(json[0].appId).toBe('ttd/demo-app');
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	it('accepts a pasted Storage or app URL', async () => {
		const id = env.seed.instances.archived;
		const storageUrl = `${env.emu.url}/storage/api/v1/instances/${id}`;
		const appUrl = `${env.emu.url}/ttd/demo-app/instances/${id}/data/x`;
		const { json } = await env.run(instanceParams('get', '={{ $json.ref }}'), { items: [{ json: { ref: storageUrl } }, { json: { ref: appUrl } }] });
		expect(json.map((j) => j.id)).toEqual([id, id]);
	});

	it('refuses a malformed instance ID before any request', async () => {
		const before = env.emu.counters.get('requests');
		const { error } = await env.run(instanceParams('get', '50001001/not-a-guid'));
		expect(error?.message).toBe('Instance ID "50001001/not-a-guid" is not an instance ID');
		expect(error?.description).toContain('partyId/instanceGuid');
		expect(env.emu.counters.get('requests')).toBe(before);
	});

	it('says which instance was not found', async () => {
		const missing = '50001001/00000000-0000-4000-8000-000000000000';
		const { error } = await env.run(instanceParams('get', missing));
		expect(error?.message).toMatch(new RegExp(`instance ${missing}`));
	});
});

describe('Instance > Search', () => {
	const search = (extra: IDataObject = {}) => ({ resource: 'instance', operation: 'search', org: 'ttd', app, returnAll: true, ...extra });

	it('returns every instance of the app, one item per instance', async () => {
		const { json, items } = await env.run(search());
		expect(ids(json)).toEqual(
			[env.seed.instances.active, env.seed.instances.awaitingConfirmation, env.seed.instances.archived, env.seed.instances.archivedConfirmed].sort(),
		);
		expect(items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('filters completed instances not yet confirmed by the org', async () => {
		const { json } = await env.run(search({ filters: { isComplete: true, notConfirmedByOrg: true } }));
		expect(ids(json)).toEqual([env.seed.instances.archived]);
	});

	it('filters by current task and instance owner', async () => {
		let r = await env.run(search({ filters: { currentTask: 'Task_2' } }));
		expect(ids(r.json)).toEqual([env.seed.instances.awaitingConfirmation]);
		r = await env.run(search({ filters: { instanceOwnerPartyId: String(env.seed.parties.person.partyId) } }));
		expect(ids(r.json)).toEqual([env.seed.instances.awaitingConfirmation, env.seed.instances.archivedConfirmed].sort());
	});

	it('refuses a date filter that is not a date, naming it, before any request', async () => {
		const before = env.emu.counters.get('requests');
		const { error } = await env.run(search({ filters: { createdAfter: 'yesterday-ish' } }));
		expect(error?.message).toBe('Created After "yesterday-ish" is not a date');
		expect(env.emu.counters.get('requests')).toBe(before);
	});
});

describe('Instance > Create', () => {
	it('instantiates with prefill for an organisation number', async () => {
		const { json } = await env.run({
			resource: 'instance',
			operation: 'create',
			org: 'ttd',
			app,
			ownerType: 'organisationNumber',
			organisationNumber: env.seed.parties.org.orgNumber,
			createOptions: { prefill: { pairs: [{ key: 'Skjema.Navn', value: 'Kari' }] }, dueBefore: '2031-01-01T00:00:00Z' },
		});
		expect(json).toHaveLength(1);
		expect(json[0].appId).toBe('ttd/demo-app');
		expect(json[0].dueBefore).toMatch(/^2031-01-01T00:00:00/);
	});

	it('instantiates with a data part from a binary field (multipart)', async () => {
		const { json } = await env.run(
			{
				resource: 'instance',
				operation: 'create',
				org: 'ttd',
				app,
				ownerType: 'partyId',
				partyId: String(env.seed.parties.org.partyId),
				createOptions: { dataParts: { parts: [{ dataType: 'attachment', binaryPropertyName: 'file' }] } },
			},
			{ items: [{ json: {}, binary: { file: { data: SAMPLE_PDF.toString('base64'), mimeType: 'application/pdf', fileName: 'søknad.pdf' } } }] },
		);
		const data = json[0].data as IDataObject[];
		expect(data.some((d) => d.dataType === 'attachment' && d.contentType === 'application/pdf')).toBe(true);
	});
});
