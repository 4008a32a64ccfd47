/**
 * Event > Get App Events through real n8n-core executions against the emulated Events API:
 * from a time or after an event id, type and party filters, paging that follows `next`.
 */
import type { IDataObject } from 'n8n-workflow';

import { EVENTS_REGISTRATION_DELAY_MS } from './emulator/events';
import { startAltinnEnv, type AltinnEnv } from './support/altinnNode';

let env: AltinnEnv;
const PAGED_TYPE = 'app.instance.test.paged';
const PAGED_COUNT = 250;

beforeAll(async () => {
	env = await startAltinnEnv();
	for (let i = 0; i < PAGED_COUNT; i++) env.emu.world.addAppEvent('ttd/demo-app', { type: PAGED_TYPE });
});

afterAll(async () => {
	await env.close();
});

// Events returns only events registered at least 30 s ago (getappevents_v2): let that time pass
// before each test, as it would have for events a user asks about.
beforeEach(() => env.emu.world.ageEvents('ttd/demo-app', EVENTS_REGISTRATION_DELAY_MS));

const demoApp = { __rl: true, mode: 'list', value: 'demo-app' };
const events = (extra: IDataObject = {}) => ({
	resource: 'event',
	operation: 'getAppEvents',
	org: 'ttd',
	app: demoApp,
	start: 'from',
	from: '2000-01-01T00:00:00Z',
	returnAll: true,
	...extra,
});
const published = () => env.emu.world.appEvents.get('ttd/demo-app') ?? [];
const queries = () => env.emu.counters.get('route.events.app.query');

describe('Event > Get App Events', () => {
	it('returns every event from a time, in order, one item per CloudEvent', async () => {
		const { json, items } = await env.run(events());
		expect(json.map((e) => e.id)).toEqual(published().map((e) => e.id));
		expect(json[0]).toMatchObject({ specversion: '1.0', subject: expect.stringMatching(/^\/party\/\d+$/), resource: 'urn:altinn:resource:app_ttd_demo-app' });
		expect(items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('follows the next header page by page, keeping the type filter, until a page is empty', async () => {
		const before = queries();
		const { json } = await env.run(events({ filters: { types: [PAGED_TYPE] } }));
		expect(json).toHaveLength(PAGED_COUNT);
		expect(json.every((e) => e.type === PAGED_TYPE)).toBe(true);
		expect(new Set(json.map((e) => e.id)).size).toBe(PAGED_COUNT);
		// 100 + 100 + 50, then the empty page after the last `next`
		expect(queries() - before).toBe(4);
	});

	it('starts after an event id', async () => {
		const all = published();
		const { json } = await env.run(events({ start: 'after', after: all[all.length - 3].id }));
		expect(json.map((e) => e.id)).toEqual(all.slice(-2).map((e) => e.id));
	});

	it('stops at the limit without fetching more pages', async () => {
		const before = queries();
		const { json } = await env.run(events({ returnAll: false, limit: 30, filters: { types: [PAGED_TYPE] } }));
		expect(json).toHaveLength(30);
		expect(queries() - before).toBe(1);
	});

	it('filters by several types and by party', async () => {
		const party = String(env.seed.parties.person.partyId);
		const types = ['app.instance.created', 'app.instance.process.completed'];
		const { json } = await env.run(events({ filters: { types, party } }));
		const expected = published().filter((e) => types.includes(e.type) && e.subject === `/party/${party}`);
		expect(expected.length).toBeGreaterThan(0);
		expect(json.map((e) => e.id)).toEqual(expected.map((e) => e.id));
	});

	it('returns nothing for an app that does not publish events', async () => {
		const { json, error } = await env.run(events({ app: { __rl: true, mode: 'list', value: 'quiet-app' } }));
		expect(error).toBeUndefined();
		expect(json).toEqual([]);
	});

	it('refuses a From that is not a date, naming it, before any request', async () => {
		const before = env.emu.counters.get('requests');
		const { error } = await env.run(events({ from: 'last tuesday' }));
		expect(error?.message).toBe('From "last tuesday" is not a date');
		expect(env.emu.counters.get('requests')).toBe(before);
	});

	it('refuses an empty After Event ID before any request', async () => {
		const before = env.emu.counters.get('requests');
		const { error } = await env.run(events({ start: 'after', after: ' ' }));
		expect(error?.message).toBe('After Event ID is empty');
		expect(env.emu.counters.get('requests')).toBe(before);
	});
});
