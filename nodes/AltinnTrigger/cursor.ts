/**
 * The trigger's cursors: plain JSON values kept in the node's static data, and the pure rules
 * that decide whether a record is new and where the cursor goes after it is emitted.
 *
 * App events: the cursor is the id of the last event handled. Events returns, in order, the
 * events registered after that id (`after=`), so nothing else is needed, as long as Events still
 * has that id: an id it does not know counts as sequence 0, so Events answers with everything it
 * keeps (altinn-events getappevents_v2, src/Events/Migration/v0.55/02-functions-and-procedures.sql,
 * commit d7232ac). That is why a cursor belongs to one environment (see `cursorScope`) and why an
 * old cursor resumes by time (see `eventQueryFrom`).
 *
 * Instance changes: the cursor is a `lastChanged` time plus the ids of the instances already
 * handled at exactly that time. The query asks for `lastChanged=gte:<time>` in ascending order, and
 * the ids skip what was handled, so equal timestamps neither drop nor repeat an instance. A change
 * is identified by (instance id, lastChanged): an instance that changes again later is a new change.
 */

import { createHash } from 'node:crypto';

export type SourceName = 'appEvents' | 'instanceChanges';

interface CursorBase {
	/** `source|org/app|start|env:…`: a cursor is only reused by a trigger watching the same thing. */
	scope: string;
	/**
	 * "Start from now": records read before the first catch-up completes are passed over
	 * without being emitted. Anchors "now" on Altinn's clock, not on n8n's.
	 */
	silent?: boolean;
}

export interface EventCursor extends CursorBase {
	kind: 'events';
	/** Id of the last event handled; absent until one is. */
	after?: string;
	/** ISO time to start from while `after` is absent. */
	from: string;
	/** Time of the last event handled, and the ids handled at exactly that time (see `eventQueryFrom`). */
	time?: string;
	ids?: string[];
}

export interface InstanceCursor extends CursorBase {
	kind: 'instances';
	/** `lastChanged` of the last instance handled, as Storage wrote it (sent back verbatim). */
	time: string;
	/** Instance ids (`partyId/instanceGuid`) already handled whose `lastChanged` equals `time`. */
	ids: string[];
	/**
	 * "Everything not yet confirmed": the app's newest change when the trigger started (Altinn's
	 * clock) and the ids changed at exactly that time. Until the catch-up has read up to it, only
	 * instances the org has not confirmed, changed at or before it, are asked for. Then the cursor
	 * jumps to it and follows the chosen filters: the jump passes over only confirmed instances,
	 * which the catch-up left out on purpose.
	 */
	catchUp?: { until: string; ids: string[] };
	/** Instances emitted lately, for redelivery and for passing over self-made changes (delivery.ts). */
	seen?: Record<string, SeenEntry>;
}

/**
 * What the trigger remembers of an instance it emitted. `fp`: fingerprint of the instance without
 * the fields a workflow changes itself (selfChanges.ts). `at`, `n`, `lc` only while it waits for
 * Confirm Download: when it was emitted (Altinn's clock, epoch ms), how many times, and its `lastChanged` then.
 */
export interface SeenEntry {
	fp: string;
	at?: number;
	n?: number;
	lc?: string;
}

export type Cursor = EventCursor | InstanceCursor;

/** What the cursor rules need to know of an instance. */
export interface InstanceKey {
	id: string;
	lastChanged: string;
}

/** What the cursor rules need to know of an event. */
export interface EventKey {
	id: string;
	time?: string;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A sortable key for an ISO 8601 time, exact to the nanosecond. `Date` keeps only milliseconds,
 * while Storage writes microseconds (Postgres) and .NET up to 100 ns ticks, so two instances in the
 * same millisecond must still compare as different times. Returns undefined for text that is not a time.
 */
export function timeKey(iso: string): string | undefined {
	const m = ISO.exec(iso.trim());
	if (!m) return undefined;
	const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = m;
	let offsetMinutes = 0;
	if (zone.toUpperCase() !== 'Z') {
		const digits = zone.replace(':', '');
		offsetMinutes = (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
	}
	const seconds = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) / 1000 - offsetMinutes * 60;
	if (!Number.isFinite(seconds)) return undefined;
	const nanos = (fraction + '000000000').slice(0, 9);
	return `${String(seconds + 1e11).padStart(12, '0')}.${nanos}`;
}

/** Orders two times; text that is not a time sorts first, so it never moves a cursor backwards. */
export function compareTimes(a: string, b: string): number {
	const ka = timeKey(a) ?? '';
	const kb = timeKey(b) ?? '';
	return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** True when an instance change has not been handled yet under this cursor. */
export function isNewInstance(cursor: InstanceCursor, instance: InstanceKey): boolean {
	const order = compareTimes(instance.lastChanged, cursor.time);
	if (order > 0) return true;
	if (order < 0) return false;
	return !cursor.ids.includes(instance.id);
}

/** The cursor after handling one instance change (call only for changes `isNewInstance` accepted). */
export function afterInstance(cursor: InstanceCursor, instance: InstanceKey): InstanceCursor {
	if (compareTimes(instance.lastChanged, cursor.time) === 0) {
		return cursor.ids.includes(instance.id) ? cursor : { ...cursor, ids: [...cursor.ids, instance.id] };
	}
	return { ...cursor, time: instance.lastChanged, ids: [instance.id] };
}

/** The `lastChanged` filter that resumes from the cursor: `gte`, because of equal timestamps. */
export function instanceQueryFrom(cursor: InstanceCursor): string {
	return `gte:${cursor.time}`;
}

/**
 * Events keeps events for 90 days, and `after=<id>` of an event it no longer has counts as
 * sequence 0: everything it keeps would come again. A cursor whose last event is close to that age
 * resumes by time instead.
 */
const EVENT_AFTER_MAX_AGE_MS = 80 * 24 * 60 * 60 * 1000;

/** How to ask Events for what follows the cursor: `after` the last event, or `from` a time. */
export function eventQueryFrom(cursor: EventCursor, nowMs: number): { after: string } | { from: string } {
	if (!cursor.after) return { from: cursor.from };
	const lastMs = cursor.time ? Date.parse(cursor.time) : NaN;
	if (cursor.time && Number.isFinite(lastMs) && nowMs - lastMs > EVENT_AFTER_MAX_AGE_MS) return { from: cursor.time };
	return { after: cursor.after };
}

/**
 * True when an event has not been handled yet. After `after=` Events returns only later events (by
 * sequence), so only a repeat of the last one is refused. Resumed by time (`byTime`), events at or
 * before the cursor's time that were handled are refused too (an event registered later with an
 * earlier time is then missed: the price of Events having dropped the last event).
 */
export function isNewEvent(cursor: EventCursor, event: EventKey, byTime = false): boolean {
	if (event.id === cursor.after) return false;
	if (!byTime || !cursor.time || !event.time) return true;
	const order = compareTimes(event.time, cursor.time);
	return order > 0 || (order === 0 && !(cursor.ids ?? []).includes(event.id));
}

export function afterEvent(cursor: EventCursor, event: EventKey): EventCursor {
	if (!event.time) return { ...cursor, after: event.id };
	if (cursor.time && compareTimes(event.time, cursor.time) === 0) {
		return { ...cursor, after: event.id, ids: [...new Set([...(cursor.ids ?? []), event.id])] };
	}
	// Events lists by sequence, and an event's time is the app's: a later event may carry an earlier
	// time. The time only moves forward, so the by-time resume never goes back past handled events.
	if (cursor.time && compareTimes(event.time, cursor.time) < 0) return { ...cursor, after: event.id };
	return { ...cursor, after: event.id, time: event.time, ids: [event.id] };
}

/**
 * What a cursor belongs to. The start settings are part of it: changing Start From or Start Time
 * starts the trigger again from there (the way to reset it), while filters may change freely. So is
 * the environment (`environmentKey`): a TT02 position means nothing in production, where an unknown
 * event id replays 90 days and a TT02 time skips the older production backlog.
 */
export function cursorScope(source: SourceName, appId: string, start?: { from: StartFrom; time?: string }, environment?: string): string {
	let scope = `${source}|${appId}`;
	if (start) scope += start.from === 'time' ? `|time:${start.time ?? ''}` : `|${start.from}`;
	return environment ? `${scope}|env:${environment}` : scope;
}

/** A short fingerprint of the platform URL and the client id: one environment, one client. */
export function environmentKey(platformUrl: string, clientId: string): string {
	const text = `${platformUrl.replace(/\/+$/, '').toLowerCase()}|${clientId.trim()}`;
	return createHash('sha256').update(text).digest('base64url').slice(0, 11);
}

export type StartFrom = 'now' | 'time' | 'unconfirmed' | 'retained';

/** How far back "now" looks on the first poll, so that Altinn's clock, not n8n's, decides what is "now". */
const NOW_LOOKBACK_MS = 10 * 60 * 1000;
/** Events keeps app events for 90 days. */
export const EVENT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
/** The earliest time Storage is asked about when everything not yet confirmed is wanted. */
const BEGINNING = '2000-01-01T00:00:00Z';

/** The cursor for a trigger that has none yet (first activation, or the app or source changed). */
export function initialCursor(
	source: SourceName,
	appId: string,
	start: { from: StartFrom; time?: string },
	nowMs: number,
	/** For instance changes from "unconfirmed": the app's newest change now, if it has instances. */
	newest?: { time: string; ids: string[] },
	environment?: string,
): Cursor {
	const scope = cursorScope(source, appId, start, environment);
	const iso = (ms: number) => new Date(ms).toISOString();
	const lookback = iso(nowMs - NOW_LOOKBACK_MS);
	if (source === 'appEvents') {
		if (start.from === 'time' && start.time) return { kind: 'events', scope, from: start.time };
		if (start.from === 'retained' || start.from === 'unconfirmed') {
			return { kind: 'events', scope, from: iso(nowMs - EVENT_RETENTION_MS) };
		}
		return { kind: 'events', scope, from: lookback, silent: true };
	}
	if (start.from === 'time' && start.time) return { kind: 'instances', scope, time: start.time, ids: [] };
	if (start.from === 'unconfirmed' || start.from === 'retained') {
		const cursor: InstanceCursor = { kind: 'instances', scope, time: BEGINNING, ids: [] };
		return newest ? { ...cursor, catchUp: { until: newest.time, ids: newest.ids } } : cursor;
	}
	return { kind: 'instances', scope, time: lookback, ids: [], silent: true };
}

/** The cursor once a poll has read to the end of what Altinn has: the start-up modes end there. */
export function caughtUp<C extends Cursor>(cursor: C): C {
	const next = { ...cursor };
	delete next.silent;
	if (next.kind === 'instances' && next.catchUp !== undefined) {
		const { until, ids } = next.catchUp;
		const order = compareTimes(until, next.time);
		if (order > 0) {
			next.time = until;
			next.ids = [...ids];
		} else if (order === 0) next.ids = [...new Set([...next.ids, ...ids])];
		delete next.catchUp;
	}
	return next;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

const isSeenMap = (v: unknown): boolean =>
	typeof v === 'object' &&
	v !== null &&
	!Array.isArray(v) &&
	Object.values(v).every((e: Partial<SeenEntry> | null) => {
		if (typeof e !== 'object' || e === null || typeof e.fp !== 'string') return false;
		if (e.at === undefined) return true;
		return Number.isFinite(e.at) && Number.isInteger(e.n) && typeof e.lc === 'string';
	});

/**
 * Reads a cursor back from static data (after a restart it is whatever JSON was stored).
 * Returns undefined when there is none, or it belongs to another app or source; throws a plain
 * Error when it is there but damaged, because guessing would lose or repeat records.
 */
export function readCursor(stored: unknown, scope: string): Cursor | undefined {
	if (stored === undefined || stored === null) return undefined;
	const c = stored as Record<string, unknown>;
	if (typeof c !== 'object' || typeof c.scope !== 'string') throw new Error('The stored trigger cursor is not readable');
	if (c.scope !== scope) return undefined;
	if (
		c.kind === 'events' &&
		typeof c.from === 'string' &&
		(c.after === undefined || typeof c.after === 'string') &&
		(c.time === undefined || (typeof c.time === 'string' && !!timeKey(c.time))) &&
		(c.ids === undefined || isStringArray(c.ids))
	) {
		return c as unknown as EventCursor;
	}
	const catchUp = c.catchUp as { until?: unknown; ids?: unknown } | undefined;
	if (
		c.kind === 'instances' &&
		typeof c.time === 'string' &&
		timeKey(c.time) &&
		isStringArray(c.ids) &&
		(catchUp === undefined || (typeof catchUp.until === 'string' && !!timeKey(catchUp.until) && isStringArray(catchUp.ids))) &&
		(c.seen === undefined || isSeenMap(c.seen))
	) {
		return c as unknown as InstanceCursor;
	}
	throw new Error('The stored trigger cursor is not readable');
}
