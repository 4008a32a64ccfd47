/**
 * Instance operations of the Altinn node, each through a real n8n-core execution against the
 * emulator with the real Maskinporten credential.
 */
import type { IDataObject } from 'n8n-workflow';

import { SAMPLE_PDF } from './emulator/seed';
import { useAltinnEnv } from './support/altinnNode';

const env = useAltinnEnv();

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

describe('Instance > updates on one instance', () => {
	const active = () => env.seed.instances.active;

	it('confirms download, and the instance drops out of "not confirmed by org"', async () => {
		const archived = env.seed.instances.archived;
		const { json } = await env.run(instanceParams('confirmDownload', archived));
		expect((json[0].completeConfirmations as IDataObject[]).map((c) => c.stakeholderId)).toContain('ttd');
		const again = await env.run({ resource: 'instance', operation: 'search', org: 'ttd', app, returnAll: true, filters: { isComplete: true, notConfirmedByOrg: true } });
		expect(again.json).toEqual([]);
	});

	it('sets substatus and read status', async () => {
		let r = await env.run(instanceParams('setSubstatus', active(), { label: 'substatus.received', substatusDescription: 'Mottatt' }));
		expect((r.json[0].status as IDataObject).substatus).toEqual({ label: 'substatus.received', description: 'Mottatt' });
		r = await env.run(instanceParams('setReadStatus', active(), { readStatus: 'UpdatedSinceLastReview' }));
		expect((r.json[0].status as IDataObject).readStatus).toBe('UpdatedSinceLastReview');
	});

	it('sets substatus through the app when Org and App are given, so app.instance.substatus.changed is published', async () => {
		const substatusEvents = () =>
			(env.emu.world.appEvents.get('ttd/demo-app') ?? []).filter((e) => e.type === 'app.instance.substatus.changed' && e.resourceinstance === active()).length;
		const before = substatusEvents();
		const viaApp = env.emu.counters.get('route.app.instance.substatus');
		const r = await env.run(instanceParams('setSubstatus', active(), { org: 'ttd', app, label: 'substatus.approved' }));
		expect(r.error).toBeUndefined();
		expect((r.json[0].status as IDataObject).substatus).toEqual({ label: 'substatus.approved' });
		expect(env.emu.counters.get('route.app.instance.substatus')).toBe(viaApp + 1);
		expect(substatusEvents()).toBe(before + 1);
		// Without Org and App it is Storage's route, which publishes nothing.
		await env.run(instanceParams('setSubstatus', active(), { label: 'substatus.storage' }));
		expect(substatusEvents()).toBe(before + 1);
	});

	it('updates presentation texts and data values; an empty value removes the key', async () => {
		let r = await env.run(instanceParams('updatePresentationTexts', active(), { texts: { pairs: [{ key: 'Saksnummer', value: '2024/17' }, { key: 'Navn', value: '' }] } }));
		expect(r.json[0].presentationTexts).toEqual({ Saksnummer: '2024/17' });
		r = await env.run(instanceParams('updateDataValues', active(), { values: { pairs: [{ key: 'caseId', value: 'A-1' }] } }));
		expect(r.json[0].dataValues).toEqual({ caseId: 'A-1' });
	});

	it('refuses an update without keys', async () => {
		const { error } = await env.run(instanceParams('updateDataValues', active(), { values: { pairs: [] } }));
		expect(error?.message).toBe('Data Values has no keys');
	});

	it('gets the audit log with type and time filters, one item per event', async () => {
		let r = await env.run(instanceParams('getEvents', active()));
		expect(r.json.length).toBeGreaterThan(0);
		expect(r.json.every((e) => e.instanceId === active())).toBe(true);
		r = await env.run(instanceParams('getEvents', active(), { eventFilters: { eventTypes: ['SubstatusUpdated'] } }));
		expect(r.json.length).toBeGreaterThan(0);
		expect(r.json.every((e) => e.eventType === 'SubstatusUpdated')).toBe(true);
		r = await env.run(instanceParams('getEvents', active(), { eventFilters: { from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z' } }));
		expect(r.json).toEqual([]);
	});

	it('gets the process history', async () => {
		const { json } = await env.run(instanceParams('getProcessHistory', env.seed.instances.archived));
		expect(json.length).toBeGreaterThan(0);
		expect(json.map((h) => h.eventType)).toContain('process_EndEvent');
	});

	it('delete is refused by the default app policy, and the message says why', async () => {
		const { error } = await env.run(instanceParams('delete', env.seed.instances.awaitingConfirmation, { hard: true }));
		expect(error?.message).toBe(`Altinn refused access to instance ${env.seed.instances.awaitingConfirmation} (403 Forbidden)`);
		expect(error?.description).toContain('the action "delete"');
	});

	it('soft and hard deletes when the app policy grants delete', async () => {
		env.emu.world.applications.get('ttd/quiet-app')!.orgMayDelete = true;
		const [soft, hard] = env.seed.instances.quiet;
		let r = await env.run(instanceParams('delete', soft, { hard: false }));
		expect((r.json[0].status as IDataObject).isSoftDeleted).toBe(true);
		r = await env.run(instanceParams('delete', hard, { hard: true }));
		expect((r.json[0].status as IDataObject).isHardDeleted).toBe(true);
	});
});

describe('Instance > Search paging', () => {
	let partyId: number;
	beforeAll(() => {
		partyId = env.seed.parties.org.partyId;
		env.emu.world.addApplication({ ...env.emu.world.applications.get('ttd/quiet-app')!, id: 'ttd/paging-app', title: { nb: 'Paging' } });
		env.emu.world.createInstances(2000, { appId: 'ttd/paging-app', partyId, lastChanged: (i: number) => Date.UTC(2024, 0, 1, 0, 0, i) });
	});
	const pagingApp = { __rl: true, mode: 'id', value: 'paging-app' };

	it('Return All follows next through a full last page (2000 = two pages of 1000, then one empty)', async () => {
		const before = env.emu.counters.get('route.storage.instances.query');
		const { json } = await env.run({ resource: 'instance', operation: 'search', org: 'ttd', app: pagingApp, returnAll: true });
		expect(json).toHaveLength(2000);
		expect(new Set(json.map((j) => j.id)).size).toBe(2000);
		expect(env.emu.counters.get('route.storage.instances.query') - before).toBe(3);
	});

	it('Limit stops early, asking only for what it needs', async () => {
		const before = env.emu.counters.get('route.storage.instances.query');
		const { json } = await env.run({ resource: 'instance', operation: 'search', org: 'ttd', app: pagingApp, returnAll: false, limit: 5, order: 'asc:lastChanged' });
		expect(json).toHaveLength(5);
		expect(env.emu.counters.get('route.storage.instances.query') - before).toBe(1);
		const changed = json.map((j) => Date.parse(j.lastChanged as string));
		expect([...changed].sort((a, b) => a - b)).toEqual(changed);
	});

	it('filters by a last-changed range built from plain dates', async () => {
		const { json } = await env.run({
			resource: 'instance',
			operation: 'search',
			org: 'ttd',
			app: pagingApp,
			returnAll: true,
			filters: { lastChangedAfter: '2024-01-01T00:00:09Z', lastChangedBefore: '2024-01-01T00:00:19Z' },
		});
		expect(json).toHaveLength(10);
	});
});

describe('Instance > Search by due and visible dates', () => {
	const dueApp = { __rl: true, mode: 'id', value: 'due-app' };
	let atBound: string;
	let later: string;
	beforeAll(() => {
		const partyId = env.seed.parties.org.partyId;
		env.emu.world.addApplication({ ...env.emu.world.applications.get('ttd/quiet-app')!, id: 'ttd/due-app', title: { nb: 'Frister' } });
		// Storage keeps these dates as `2030-12-31T00:00:00Z` and compares them as text.
		atBound = env.emu.world.createInstance({ appId: 'ttd/due-app', partyId, dueBefore: '2030-12-31T00:00:00Z', visibleAfter: '2030-06-01T00:00:00Z' }).instance.id as string;
		later = env.emu.world.createInstance({ appId: 'ttd/due-app', partyId, dueBefore: '2030-12-31T00:00:01Z', visibleAfter: '2030-06-01T00:00:01Z' }).instance.id as string;
	});
	const search = async (filters: Record<string, string>) =>
		ids((await env.run({ resource: 'instance', operation: 'search', org: 'ttd', app: dueApp, returnAll: true, filters })).json);

	it('a Before bound includes an instance due exactly then, and an After bound excludes it', async () => {
		expect(await search({ dueBefore: '2030-12-31T00:00:00Z' })).toEqual([atBound]);
		expect(await search({ dueAfter: '2030-12-31T00:00:00Z' })).toEqual([later]);
		expect(await search({ visibleAfterTo: '2030-06-01T00:00:00Z' })).toEqual([atBound]);
		expect(await search({ visibleAfterFrom: '2030-06-01T00:00:00Z' })).toEqual([later]);
	});
});

describe('Instance > Search Return All across instances with one shared Last Changed', () => {
	const sameApp = { __rl: true, mode: 'id', value: 'same-time-app' };
	let created: string[];
	beforeAll(() => {
		const partyId = env.seed.parties.org.partyId;
		env.emu.world.addApplication({ ...env.emu.world.applications.get('ttd/quiet-app')!, id: 'ttd/same-time-app', title: { nb: 'Samtidig' } });
		// 1,500 instances, the first 1,200 changed in the same microsecond (a bulk job), so a page of
		// 1,000 ends inside the group whichever way Storage sorts.
		const shared = Date.UTC(2025, 4, 1, 12, 0, 0);
		const recs = env.emu.world.createInstances(1500, { appId: 'ttd/same-time-app', partyId, lastChanged: (i: number) => (i < 1200 ? shared : shared + (i - 1199) * 1000) });
		created = recs.map((r) => r.instance.id as string).sort();
	});

	for (const order of ['desc:lastChanged', 'asc:lastChanged']) {
		it(`returns each instance exactly once (${order})`, async () => {
			const { json, error } = await env.run({ resource: 'instance', operation: 'search', org: 'ttd', app: sameApp, returnAll: true, order });
			expect(error).toBeUndefined();
			expect(json.map((j) => j.id as string).sort()).toEqual(created);
			const changed = json.map((j) => Date.parse(j.lastChanged as string));
			const sorted = [...changed].sort((a, b) => (order.startsWith('desc') ? b - a : a - b));
			expect(changed).toEqual(sorted);
		});
	}
});
