import {
	afterEvent,
	afterInstance,
	caughtUp,
	compareTimes,
	cursorScope,
	environmentKey,
	type EventCursor,
	eventQueryFrom,
	initialCursor,
	type InstanceCursor,
	instanceQueryFrom,
	isNewEvent,
	isNewInstance,
	readCursor,
	timeKey,
} from '../nodes/AltinnTrigger/cursor';
import { AltinnClock } from '../nodes/AltinnTrigger/clock';
import { drain, type DrainSource } from '../nodes/AltinnTrigger/drain';
import { eventFilter, eventItem, instanceItem, instanceRefFromEvent } from '../nodes/AltinnTrigger/records';
import { instanceFingerprint } from '../nodes/AltinnTrigger/selfChanges';

const base: InstanceCursor = { kind: 'instances', scope: 'instanceChanges|ttd/app|now', time: '2024-01-01T00:00:00Z', ids: [] };

describe('timeKey / compareTimes', () => {
	it('orders times finer than a millisecond (Storage writes microseconds)', () => {
		expect(compareTimes('2024-01-01T10:00:00.123456Z', '2024-01-01T10:00:00.123457Z')).toBe(-1);
		expect(compareTimes('2024-01-01T10:00:00.1234567Z', '2024-01-01T10:00:00.1234567Z')).toBe(0);
	});
	it('treats the same instant in different notations as equal', () => {
		expect(compareTimes('2024-01-01T10:00:00Z', '2024-01-01T11:00:00+01:00')).toBe(0);
		expect(compareTimes('2024-01-01T10:00:00.5Z', '2024-01-01T10:00:00.500000Z')).toBe(0);
		expect(compareTimes('2024-01-01T10:00:00', '2024-01-01T10:00:00Z')).toBe(0);
	});
	it('rejects text that is not a time', () => {
		expect(timeKey('yesterday')).toBeUndefined();
		expect(timeKey('2024-01-01T10:00:00.000Z')).toBeDefined();
	});
});

describe('instance cursor', () => {
	const a = { id: '1/a', lastChanged: '2024-01-01T00:00:01.000001Z' };
	const b = { id: '1/b', lastChanged: '2024-01-01T00:00:01.000001Z' };
	const c = { id: '1/c', lastChanged: '2024-01-01T00:00:02Z' };

	it('keeps the ids seen at the cursor time, so an equal-timestamp burst is neither dropped nor repeated', () => {
		let cur = afterInstance(base, a);
		expect(cur).toMatchObject({ time: a.lastChanged, ids: ['1/a'] });
		expect(isNewInstance(cur, a)).toBe(false);
		expect(isNewInstance(cur, b)).toBe(true);
		cur = afterInstance(cur, b);
		expect(cur.ids).toEqual(['1/a', '1/b']);
		cur = afterInstance(cur, c);
		expect(cur).toMatchObject({ time: c.lastChanged, ids: ['1/c'] });
		expect(isNewInstance(cur, b)).toBe(false);
		expect(instanceQueryFrom(cur)).toBe(`gte:${c.lastChanged}`);
	});
	it('sees a later change of the same instance as new', () => {
		const cur = afterInstance(base, a);
		expect(isNewInstance(cur, { id: '1/a', lastChanged: '2024-01-01T00:00:03Z' })).toBe(true);
	});
	it('ignores an instance older than the cursor', () => {
		expect(isNewInstance(afterInstance(base, c), a)).toBe(false);
	});
	it('does not mutate the cursor it was given', () => {
		const cur = afterInstance(base, a);
		afterInstance(cur, b);
		expect(cur.ids).toEqual(['1/a']);
	});
});

describe('event cursor', () => {
	const start: EventCursor = { kind: 'events', scope: 's', from: '2024-01-01T00:00:00Z' };
	it('moves to the last handled event id', () => {
		const cur = afterEvent(start, { id: 'e1' });
		expect(cur.after).toBe('e1');
		expect(isNewEvent(cur, { id: 'e1' })).toBe(false);
		expect(isNewEvent(cur, { id: 'e2' })).toBe(true);
	});
	it('asks after the last event, or from its time once Events may have dropped it (90-day retention)', () => {
		const now = Date.parse('2024-06-01T00:00:00Z');
		expect(eventQueryFrom(start, now)).toEqual({ from: start.from });
		const recent = afterEvent(start, { id: 'e1', time: '2024-05-30T00:00:00Z' });
		expect(eventQueryFrom(recent, now)).toEqual({ after: 'e1' });
		const old = afterEvent(afterEvent(start, { id: 'e1', time: '2024-02-01T00:00:00Z' }), { id: 'e2', time: '2024-02-01T00:00:00Z' });
		expect(eventQueryFrom(old, now)).toEqual({ from: '2024-02-01T00:00:00Z' });
		// Resuming by time skips what was handled at that time and before it.
		expect(isNewEvent(old, { id: 'e1', time: '2024-02-01T00:00:00Z' }, true)).toBe(false);
		expect(isNewEvent(old, { id: 'e0', time: '2024-01-31T00:00:00Z' }, true)).toBe(false);
		expect(isNewEvent(old, { id: 'e3', time: '2024-02-01T00:00:00Z' }, true)).toBe(true);
		// After an id, Events decides by sequence: an earlier time registered later is still new.
		expect(isNewEvent(old, { id: 'e0', time: '2024-01-31T00:00:00Z' })).toBe(true);
	});
	it('never moves its time backwards for an event that carries an earlier time', () => {
		const cur = afterEvent(afterEvent(start, { id: 'e1', time: '2024-02-02T00:00:00Z' }), { id: 'e2', time: '2024-02-01T00:00:00Z' });
		expect(cur).toMatchObject({ after: 'e2', time: '2024-02-02T00:00:00Z', ids: ['e1'] });
	});
});

describe('cursorScope', () => {
	it('changes with the start settings, so changing them starts again', () => {
		expect(cursorScope('appEvents', 'a/b', { from: 'now' })).not.toBe(cursorScope('appEvents', 'a/b', { from: 'time', time: 'x' }));
		expect(cursorScope('appEvents', 'a/b', { from: 'time', time: 'x' })).not.toBe(cursorScope('appEvents', 'a/b', { from: 'time', time: 'y' }));
	});
});

describe('initialCursor and caughtUp', () => {
	const now = Date.parse('2024-06-01T12:00:00Z');
	it('"now" looks back 10 minutes silently, so Altinn\'s clock decides what is new', () => {
		expect(initialCursor('instanceChanges', 'ttd/app', { from: 'now' }, now)).toEqual({
			kind: 'instances',
			scope: 'instanceChanges|ttd/app|now',
			time: '2024-06-01T11:50:00.000Z',
			ids: [],
			silent: true,
		});
		expect(initialCursor('appEvents', 'ttd/app', { from: 'now' }, now)).toMatchObject({ from: '2024-06-01T11:50:00.000Z', silent: true });
	});
	it('a given time starts exactly there', () => {
		expect(initialCursor('instanceChanges', 'ttd/app', { from: 'time', time: '2024-01-01T00:00:00Z' }, now)).toMatchObject({
			time: '2024-01-01T00:00:00Z',
			ids: [],
		});
	});
	it('"not yet confirmed" starts at the beginning, unconfirmed only, until the app\'s newest change at start', () => {
		const newest = { time: '2024-05-01T00:00:00Z', ids: ['p/8', 'p/9'] };
		const cur = initialCursor('instanceChanges', 'ttd/app', { from: 'unconfirmed' }, now, newest) as InstanceCursor;
		expect(cur).toMatchObject({ time: '2000-01-01T00:00:00Z', catchUp: { until: newest.time, ids: newest.ids } });
		const afterCatchUp = caughtUp(afterInstance(cur, { id: 'p/1', lastChanged: '2024-04-01T00:00:00Z' }));
		expect(afterCatchUp).toEqual({ kind: 'instances', scope: 'instanceChanges|ttd/app|unconfirmed', time: newest.time, ids: ['p/8', 'p/9'] });
		// The catch-up emitted one of the instances at the boundary time: the ids merge.
		const atBoundary = caughtUp(afterInstance(cur, { id: 'p/9', lastChanged: newest.time }));
		expect(atBoundary.ids).toEqual(['p/9', 'p/8']);
		expect(initialCursor('instanceChanges', 'ttd/app', { from: 'unconfirmed' }, now)).not.toHaveProperty('catchUp');
		expect(caughtUp(initialCursor('appEvents', 'a/b', { from: 'now' }, now))).not.toHaveProperty('silent');
	});
	it('events "retained" starts 90 days back', () => {
		expect(initialCursor('appEvents', 'a/b', { from: 'retained' }, now)).toMatchObject({ from: '2024-03-03T12:00:00.000Z' });
	});
});

describe('readCursor (static data after a restart)', () => {
	it('round-trips through JSON', () => {
		const cur = afterInstance(base, { id: '1/a', lastChanged: '2024-01-01T00:00:05Z' });
		expect(readCursor(JSON.parse(JSON.stringify(cur)), base.scope)).toEqual(cur);
	});
	it('ignores a cursor of another app or source', () => {
		expect(readCursor(base, 'appEvents|ttd/app|now')).toBeUndefined();
		expect(readCursor(undefined, base.scope)).toBeUndefined();
	});
	it('refuses a damaged cursor rather than guess', () => {
		expect(() => readCursor({ ...base, time: 'soon' }, base.scope)).toThrow('not readable');
		expect(() => readCursor({ ...base, ids: 'x' }, base.scope)).toThrow('not readable');
		expect(() => readCursor('text', base.scope)).toThrow('not readable');
	});
});

describe('records', () => {
	const links = {
		storage: (p: string, g: string) => `https://platform/storage/api/v1/instances/${p}/${g}`,
		app: (o: string, a: string, p: string, g: string) => `https://${o}.apps/${o}/${a}/instances/${p}/${g}`,
	};
	const guid = 'f21e491f-f862-4776-b81f-725657ef0a18';
	it('reads the instance out of an event source URL', () => {
		const event = { id: 'e', type: 'app.instance.created', source: `https://ttd.apps.altinn.no/ttd/apps-test/instances/50019855/${guid}` };
		expect(instanceRefFromEvent(event, { org: 'x', app: 'y' })).toEqual({ org: 'ttd', app: 'apps-test', partyId: '50019855', instanceGuid: guid, id: `50019855/${guid}` });
		const item = eventItem({ ...event, subject: '/party/50019855', time: '2024-01-01T00:00:00Z' }, 'ttd/apps-test', links);
		expect(item).toMatchObject({
			instanceId: `50019855/${guid}`,
			partyId: '50019855',
			eventType: 'app.instance.created',
			links: { storage: `https://platform/storage/api/v1/instances/50019855/${guid}` },
		});
	});
	it('falls back to resourceinstance', () => {
		expect(instanceRefFromEvent({ id: 'e', type: 't', resourceinstance: `1/${guid}` }, { org: 'o', app: 'a' })).toEqual({
			org: 'o',
			app: 'a',
			partyId: '1',
			instanceGuid: guid,
			id: `1/${guid}`,
		});
	});
	it('shapes an instance change', () => {
		const item = instanceItem(
			{ id: `7/${guid}`, appId: 'ttd/app', org: 'ttd', lastChanged: '2024-01-01T00:00:00Z', process: { currentTask: { elementId: 'Task_1' } } },
			links,
		);
		expect(item).toMatchObject({ instanceId: `7/${guid}`, partyId: '7', instanceGuid: guid, currentTask: 'Task_1', app: 'app' });
	});
	it('filters event types on the server when it can, here when it cannot', () => {
		expect(eventFilter(['any']).serverTypes).toBeUndefined();
		const completed = eventFilter(['completed', 'movedTo'], 'Task_2');
		expect(completed.serverTypes).toEqual(['app.instance.process.completed', 'app.instance.process.movedTo.Task_2']);
		const anyTask = eventFilter(['movedTo']);
		expect(anyTask.serverTypes).toBeUndefined();
		expect(anyTask.matches('app.instance.process.movedTo.Task_9')).toBe(true);
		expect(anyTask.matches('app.instance.created')).toBe(false);
	});
});

describe('drain', () => {
	type Rec = { id: string; lastChanged: string };
	const rec = (i: number, t = i): Rec => ({ id: `p/${i}`, lastChanged: new Date(Date.UTC(2024, 0, 1, 0, 0, t)).toISOString() });
	const source = (pages: Rec[][], failAt?: number): DrainSource<Rec, InstanceCursor> => ({
		async *pages() {
			for (let i = 0; i < pages.length; i++) {
				if (i === failAt) throw new Error('page failed');
				yield pages[i];
			}
		},
		isNew: isNewInstance,
		advance: afterInstance,
		wanted: () => true,
	});
	const limits = { maxItems: 100, deadline: Number.MAX_SAFE_INTEGER, now: () => 0 };
	const ok = async (r: Rec) => r.id;

	it('reads every page and ends caught up', async () => {
		const r = await drain(source([[rec(1), rec(2)], [rec(3)]]), base, limits, ok);
		expect(r).toMatchObject({ items: ['p/1', 'p/2', 'p/3'], outcome: 'caughtUp', pages: 2 });
		expect(r.cursor).toMatchObject({ time: rec(3).lastChanged, ids: ['p/3'] });
	});
	it('keeps the finished prefix when a page fails, cursor just past it', async () => {
		const r = await drain(source([[rec(1), rec(2)], [rec(3)]], 1), base, limits, ok);
		expect(r.outcome).toBe('failed');
		expect(r.items).toEqual(['p/1', 'p/2']);
		expect(r.cursor.time).toBe(rec(2).lastChanged);
	});
	it('stops at an item that cannot be finished and does not move past it', async () => {
		const r = await drain(source([[rec(1), rec(2), rec(3)]]), base, limits, async (x) => {
			if (x.id === 'p/2') throw new Error('download failed');
			return x.id;
		});
		expect(r.items).toEqual(['p/1']);
		expect(r.cursor).toMatchObject({ time: rec(1).lastChanged, ids: ['p/1'] });
		expect((r.error as Error).message).toBe('download failed');
	});
	it('caps the items per poll and resumes from the cursor next time', async () => {
		const pages = [[rec(1), rec(2), rec(3)], [rec(4), rec(5)]];
		const first = await drain(source(pages), base, { ...limits, maxItems: 2 }, ok);
		expect(first).toMatchObject({ items: ['p/1', 'p/2'], outcome: 'itemLimit' });
		const second = await drain(source(pages), first.cursor, limits, ok);
		expect(second.items).toEqual(['p/3', 'p/4', 'p/5']);
	});
	it('stops at the budget before reading another page', async () => {
		let t = 0;
		const r = await drain(source([[rec(1)], [rec(2)]]), base, { maxItems: 10, deadline: 1, now: () => t++ }, ok);
		expect(r.outcome).toBe('budget');
		expect(r.items).toEqual(['p/1']);
	});
	it('reads one page and finishes one item even when the budget is already spent', async () => {
		const r = await drain(source([[rec(1), rec(2)], [rec(3)]]), base, { maxItems: 10, deadline: 0, now: () => 5 }, ok);
		expect(r).toMatchObject({ outcome: 'budget', items: ['p/1'], pages: 1 });
	});
	it('passes over unwanted records but moves the cursor past them', async () => {
		const s = { ...source([[rec(1), rec(2)]]), wanted: (_c: InstanceCursor, r: Rec) => r.id !== 'p/1' };
		const r = await drain(s, base, limits, ok);
		expect(r.items).toEqual(['p/2']);
	});
	it('skips an equal-timestamp burst already seen, across polls with a page boundary inside the burst', async () => {
		const burst = [1, 2, 3, 4, 5].map((i) => rec(i, 9));
		const seen: string[] = [];
		let cursor = base;
		for (let poll = 0; poll < 4; poll++) {
			// Storage answers gte:cursor.time: the whole burst again each time.
			const pages = [burst.filter((r) => compareTimes(r.lastChanged, cursor.time) >= 0)];
			const r = await drain(source(pages), cursor, { ...limits, maxItems: 2 }, ok);
			seen.push(...r.items);
			cursor = r.cursor;
		}
		expect(seen).toEqual(['p/1', 'p/2', 'p/3', 'p/4', 'p/5']);
	});
});

describe('environment, clock and self-made changes', () => {
	it('scopes a cursor by platform URL and client id', () => {
		const tt02 = environmentKey('https://platform.tt02.altinn.no/storage/api/v1', 'client-a');
		expect(environmentKey('https://platform.tt02.altinn.no/storage/api/v1/', 'client-a')).toBe(tt02);
		expect(environmentKey('https://platform.altinn.no/storage/api/v1', 'client-a')).not.toBe(tt02);
		expect(environmentKey('https://platform.tt02.altinn.no/storage/api/v1', 'client-b')).not.toBe(tt02);
		const scope = cursorScope('instanceChanges', 'ttd/app', { from: 'now' }, tt02);
		expect(readCursor({ ...base, scope }, cursorScope('instanceChanges', 'ttd/app', { from: 'now' }, environmentKey('https://platform.altinn.no/storage/api/v1', 'client-a')))).toBeUndefined();
		expect(readCursor({ ...base, scope }, scope)).toEqual({ ...base, scope });
	});

	it('reads Altinn\'s time from the Date header and keeps running on n8n\'s clock between answers', () => {
		let local = Date.parse('2024-05-01T10:00:00Z');
		const clock = new AltinnClock(undefined, () => local);
		expect(clock.known).toBe(false);
		clock.observe({ date: 'Wed, 01 May 2024 10:02:00 GMT' }); // Altinn is two minutes ahead
		expect(clock.known).toBe(true);
		local += 5000;
		expect(new Date(clock.now()).toISOString()).toBe('2024-05-01T10:02:05.000Z');
		clock.observe({ Date: 'not a date' });
		expect(clock.offset).toBe(120_000);
		expect(new AltinnClock(-3000, () => local).now()).toBe(local - 3000);
	});

	it('fingerprints an instance without the fields a workflow writes itself', () => {
		const instance = {
			id: '1/a',
			lastChanged: '2024-01-01T00:00:00Z',
			process: { currentTask: { elementId: 'Task_1' } },
			status: { isArchived: false, readStatus: 'Unread' },
			data: [{ id: 'd1', dataType: 'model', lastChanged: 'x', isRead: false }],
		};
		const fp = instanceFingerprint(instance);
		const selfMade = {
			...instance,
			lastChanged: '2024-01-02T00:00:00Z',
			lastChangedBy: '991825827',
			status: { isArchived: false, readStatus: 'Read', substatus: { label: 'Mottatt' } },
			presentationTexts: { Sak: '1' },
			dataValues: { ref: 'A' },
			completeConfirmations: [{ stakeholderId: 'ttd', confirmedOn: '2024-01-02T00:00:00Z' }],
			data: [{ id: 'd1', dataType: 'model', lastChanged: 'y', isRead: true, tags: ['seen'] }],
		};
		expect(instanceFingerprint(selfMade)).toBe(fp);
		expect(instanceFingerprint({ ...instance, process: { currentTask: { elementId: 'Task_2' } } })).not.toBe(fp);
		expect(instanceFingerprint({ ...instance, data: [...instance.data, { id: 'd2', dataType: 'attachment' }] })).not.toBe(fp);
		expect(instanceFingerprint({ ...instance, status: { isArchived: true, readStatus: 'Unread' } })).not.toBe(fp);
	});
});
