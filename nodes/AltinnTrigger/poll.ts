/**
 * The trigger's poll: settings in, items out, cursor kept in the node's static data. The HTTP
 * calls go through `TriggerApi`; the cursor rules and the drain are pure (cursor.ts, drain.ts).
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toUtcIso } from '../Altinn/shared/dates';
import { statusOf, type Query, type TriggerApi } from './api';
import {
	afterEvent,
	afterInstance,
	caughtUp,
	compareTimes,
	type Cursor,
	cursorScope,
	EVENT_RETENTION_MS,
	type EventCursor,
	eventQueryFrom,
	initialCursor,
	type InstanceCursor,
	instanceQueryFrom,
	isNewEvent,
	isNewInstance,
	readCursor,
	type SourceName,
	type StartFrom,
} from './cursor';
import { DEFAULT_MAX_ITEMS, DEFAULT_SETTLE_SECONDS } from './description';
import { asNodeError, ItemFinisher } from './finish';
import { drain, type DrainResult, type DrainSource } from './drain';
import {
	type AppEvent,
	eventFilter,
	type EventTypeChoice,
	type StorageInstance,
} from './records';

export interface TriggerSettings {
	source: SourceName;
	org: string;
	app: string;
	eventTypes: EventTypeChoice[];
	taskId: string;
	filters: { currentTask?: string; notConfirmed?: boolean; onlyCompleted?: boolean };
	startFrom: StartFrom;
	startTime?: string;
	fetchInstance: boolean;
	downloadData: boolean;
	dataTypes: string[];
	binaryPrefix: string;
	maxItems: number;
	/** Instance changes younger than this wait for the next poll (see `instanceSource`). */
	settleMs: number;
}

/** Fallback when n8n does not say how long a poll may take (n8n-core before 2.41). */
export const DEFAULT_POLL_BUDGET_MS = 5 * 60 * 1000;
/** Share of the poll budget spent reading and finishing; the rest is left for n8n to start the execution. */
const BUDGET_SHARE = 0.6;
/** Largest page asked of Storage or Events: small enough that a slow page never eats the budget. */
const MAX_PAGE_SIZE = 200;
/** How often an App events trigger that has never seen an event checks whether the app publishes any. */
const NO_EVENTS_CHECK_INTERVAL_MS = 60 * 60 * 1000;
/** Grace for an app to publish the event of an instance it just created. */
const EVENT_DELIVERY_GRACE_MS = 60 * 1000;

/** The node's parameters, validated. */
export function readSettings(ctx: IPollFunctions): TriggerSettings {
	const text = (name: string) => String(ctx.getNodeParameter(name, '') ?? '').trim();
	const source = ctx.getNodeParameter('source', 'instanceChanges') as SourceName;
	const org = text('org');
	const app = text('app');
	if (!org || !app || org.includes('/') || app.includes('/')) {
		throw new NodeOperationError(ctx.getNode(), 'Give the app as Org and App, e.g. Org "ttd" and App "my-app"', {
			description: `Got Org "${org}" and App "${app}".`,
		});
	}
	const startFrom = ctx.getNodeParameter('startFrom', 'now') as StartFrom;
	let startTime: string | undefined;
	try {
		startTime = startFrom === 'time' ? toUtcIso(text('startTime'), 'Start Time', ctx.getTimezone()) : undefined;
	} catch {
		// not a date: reported just below
	}
	if (startFrom === 'time' && !startTime) {
		throw new NodeOperationError(ctx.getNode(), `Start Time "${text('startTime')}" is not a date and time`, {
			description: 'Give an ISO 8601 time such as 2024-05-01T00:00:00Z.',
		});
	}
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const maxItems = Math.floor(Number(options.maxItems ?? DEFAULT_MAX_ITEMS));
	return {
		source,
		org,
		app,
		eventTypes: source === 'appEvents' ? (ctx.getNodeParameter('eventTypes', ['completed']) as EventTypeChoice[]) : [],
		taskId: source === 'appEvents' ? text('taskId') : '',
		filters:
			source === 'instanceChanges'
				? {
						onlyCompleted: ctx.getNodeParameter('onlyCompleted', true) as boolean,
						notConfirmed: ctx.getNodeParameter('notConfirmed', true) as boolean,
						currentTask: text('currentTask'),
					}
				: {},
		startFrom,
		startTime,
		fetchInstance: ctx.getNodeParameter('fetchInstance', false) as boolean,
		downloadData: ctx.getNodeParameter('downloadData', false) as boolean,
		dataTypes: String(options.dataTypes ?? '')
			.split(',')
			.map((t) => t.trim())
			.filter(Boolean),
		binaryPrefix: String(options.binaryPrefix ?? 'data_'),
		maxItems: Number.isFinite(maxItems) && maxItems > 0 ? maxItems : DEFAULT_MAX_ITEMS,
		settleMs: Math.max(0, Number(options.settleSeconds ?? DEFAULT_SETTLE_SECONDS) || 0) * 1000,
	};
}

const appIdOf = (s: TriggerSettings) => `${s.org}/${s.app}`;

/**
 * Polls in flight, by workflow and node. n8n starts a poll on every tick even while the previous
 * one is still running (a long backlog, a short interval); two polls from the same cursor would
 * emit the same records twice, so a tick that finds one in flight does nothing. Polls run in the
 * one main process that holds the workflow's activation, so a process-wide set is enough.
 */
const inFlight = new Set<string>();

/**
 * One poll. Active mode: resume from the stored cursor, emit what is new, store the cursor just past
 * what was emitted. Manual mode ("Fetch test event"): the latest matching item, cursor untouched.
 */
export async function pollTrigger(
	ctx: IPollFunctions,
	api: TriggerApi,
	settings: TriggerSettings,
	now: () => number = () => Date.now(),
): Promise<INodeExecutionData[][] | null> {
	if (ctx.getMode() === 'manual') return await pollOnce(ctx, api, settings, now);
	const key = `${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`;
	if (inFlight.has(key)) return null;
	inFlight.add(key);
	try {
		return await pollOnce(ctx, api, settings, now);
	} finally {
		inFlight.delete(key);
	}
}

async function pollOnce(
	ctx: IPollFunctions,
	api: TriggerApi,
	settings: TriggerSettings,
	now: () => number,
): Promise<INodeExecutionData[][] | null> {
	const startedAt = now();
	const budget = pollBudget(ctx);
	const limits = { maxItems: settings.maxItems, deadline: startedAt + budget * BUDGET_SHARE, now };
	const finisher = new ItemFinisher(ctx, api, settings);

	if (ctx.getMode() === 'manual') {
		await checkAppExists(ctx, api, settings);
		const item = await latestItem(ctx, api, settings, finisher, limits, now);
		return [[item]];
	}

	const staticData = ctx.getWorkflowStaticData('node');
	const scope = cursorScope(settings.source, appIdOf(settings), { from: settings.startFrom, time: settings.startTime });
	let stored: Cursor | undefined;
	let damaged = false;
	try {
		stored = readCursor(staticData.cursor, scope);
	} catch {
		damaged = true;
	}
	if (damaged) {
		throw new NodeOperationError(ctx.getNode(), 'The trigger\'s saved position is damaged', {
			description:
				'Its static data holds a cursor that cannot be read. To start again from a known point, change Start From or Start Time.',
		});
	}
	let start = stored;
	if (!start) {
		await checkAppExists(ctx, api, settings);
		const newest =
			settings.source === 'instanceChanges' && settings.startFrom === 'unconfirmed'
				? await newestChange(ctx, api, settings)
				: undefined;
		start = initialCursor(
			settings.source,
			appIdOf(settings),
			{ from: settings.startFrom, time: settings.startTime },
			startedAt,
			newest,
		);
	}

	const result =
		start.kind === 'events'
			? await drain(eventSource(api, settings, startedAt), start, limits, async (e) => await finisher.event(e))
			: await drain(instanceSource(api, settings, startedAt), start, limits, async (i) => await finisher.instance(i));

	if (result.outcome === 'failed' && result.items.length === 0) throw asNodeError(ctx, result.error);

	let cursor: Cursor = result.outcome === 'caughtUp' ? caughtUp(result.cursor) : result.cursor;
	if (cursor.kind === 'events') {
		cursor = await checkEventsArePublished(ctx, api, settings, cursor, result as DrainResult<Cursor, unknown>, staticData, now);
	}
	if (!stored || JSON.stringify(stored) !== JSON.stringify(cursor)) staticData.cursor = cursor as unknown as IDataObject;
	return result.items.length > 0 ? [result.items] : null;
}

function pollBudget(ctx: IPollFunctions): number {
	const fn = (ctx as { getPollBudgetMs?: () => number }).getPollBudgetMs;
	const budget = typeof fn === 'function' ? Number(fn.call(ctx)) : NaN;
	return Number.isFinite(budget) && budget > 0 ? budget : DEFAULT_POLL_BUDGET_MS;
}

const pageSize = (s: TriggerSettings) => Math.min(s.maxItems + 1, MAX_PAGE_SIZE);

function instanceFilters(s: TriggerSettings, catchingUp = false): Query {
	const q: Query = { appId: appIdOf(s) };
	if (s.filters.onlyCompleted) q['process.isComplete'] = true;
	if (s.filters.notConfirmed || catchingUp) q.excludeConfirmedBy = s.org;
	if (s.filters.currentTask?.trim()) q['process.currentTask'] = s.filters.currentTask.trim();
	return q;
}

/**
 * Storage stamps `lastChanged` before the change is committed, so two changes committed out of
 * order could let the cursor pass a time before the earlier one is visible. Changes younger than
 * the settle time (by n8n's clock) are left for the next poll. The catch-up of "everything not yet
 * confirmed" is bounded by the app's newest change at start instead.
 */
function instanceSource(api: TriggerApi, s: TriggerSettings, nowMs: number): DrainSource<StorageInstance, InstanceCursor> {
	const settled = s.settleMs > 0 ? [`lt:${new Date(nowMs - s.settleMs).toISOString()}`] : [];
	return {
		pages: (cursor) =>
			api.instancePages({
				...instanceFilters(s, cursor.catchUp !== undefined),
				lastChanged: cursor.catchUp
					? [instanceQueryFrom(cursor), `lte:${cursor.catchUp.until}`]
					: [instanceQueryFrom(cursor), ...settled],
				order: 'asc:lastChanged',
				size: pageSize(s),
			}),
		isNew: isNewInstance,
		advance: afterInstance,
		wanted: (cursor) => !cursor.silent,
	};
}

function eventSource(api: TriggerApi, s: TriggerSettings, nowMs: number): DrainSource<AppEvent, EventCursor> {
	const filter = eventFilter(s.eventTypes, s.taskId);
	let byTime = false;
	return {
		pages: (cursor) => {
			const from = eventQueryFrom(cursor, nowMs);
			byTime = 'from' in from && cursor.after !== undefined;
			return api.eventPages(s.org, s.app, {
				...from,
				...(filter.serverTypes ? { type: filter.serverTypes } : {}),
				size: pageSize(s),
			});
		},
		isNew: (cursor, event) => isNewEvent(cursor, event, byTime),
		advance: afterEvent,
		wanted: (cursor, event) => !cursor.silent && filter.matches(event.type),
	};
}

/** Storage answers 404 for an app it does not know; say so before polling an empty list forever. */
async function checkAppExists(ctx: IPollFunctions, api: TriggerApi, s: TriggerSettings): Promise<void> {
	let failure: unknown;
	try {
		await api.getApplication(s.org, s.app);
		return;
	} catch (error) {
		failure = error;
	}
	if (statusOf(failure) === 404) {
		throw new NodeOperationError(ctx.getNode(), `Altinn has no app "${appIdOf(s)}" in this environment`, {
			description:
				'Check Org and App (the app ID is org/app, e.g. ttd/my-app) and that the credential points at the environment (TT02 or production) where the app is deployed.',
		});
	}
	throw asNodeError(ctx, failure);
}

/**
 * An App events trigger that has never seen an event: if Storage shows instances created in the
 * same window while Events has none of any type, the app does not publish events (most apps do not:
 * RegisterEventsWithEventsComponent is off by default). Checked at most hourly; raises a clear error.
 */
async function checkEventsArePublished(
	ctx: IPollFunctions,
	api: TriggerApi,
	s: TriggerSettings,
	cursor: EventCursor,
	result: DrainResult<Cursor, unknown>,
	staticData: IDataObject,
	now: () => number,
): Promise<EventCursor> {
	if (cursor.after || result.read > 0 || result.outcome !== 'caughtUp') return cursor;
	const last = Number(staticData.eventsCheckedAt ?? 0);
	if (now() - last < NO_EVENTS_CHECK_INTERVAL_MS) return cursor;
	const problem = await noEventsProblem(ctx, api, s, cursor.from, now);
	if (problem) throw problem;
	staticData.eventsCheckedAt = now();
	return cursor;
}

async function noEventsProblem(
	ctx: IPollFunctions,
	api: TriggerApi,
	s: TriggerSettings,
	since: string,
	now: () => number,
): Promise<NodeOperationError | undefined> {
	const first = async <T>(pages: AsyncIterable<T[]>): Promise<T | undefined> => {
		for await (const page of pages) return page[0];
		return undefined;
	};
	const anyEvent = await first(api.eventPages(s.org, s.app, { from: since, size: 1 }));
	if (anyEvent) return undefined;
	const until = new Date(now() - EVENT_DELIVERY_GRACE_MS).toISOString();
	const created = await first(
		api.instancePages({ appId: appIdOf(s), created: [`gte:${since}`, `lt:${until}`], size: 1 }),
	);
	if (!created) return undefined;
	return new NodeOperationError(ctx.getNode(), `The app "${appIdOf(s)}" does not seem to publish events`, {
		description: `Storage has instances of the app created since ${since} (e.g. ${created.id}), but the Events API returns no event of any type for it in that time. Apps publish events only when RegisterEventsWithEventsComponent is on, which is off by default (or the app's policy does not let this org read its events). Use the source "Instance Changes" instead, which works for every app.`,
	});
}

/** "Fetch test event": the latest matching item, without touching the cursor. */
async function latestItem(
	ctx: IPollFunctions,
	api: TriggerApi,
	s: TriggerSettings,
	finisher: ItemFinisher,
	limits: { deadline: number; now: () => number },
	now: () => number,
): Promise<INodeExecutionData> {
	if (s.source === 'instanceChanges') {
		const latest = await firstOrFail(ctx, api.instancePages({ ...instanceFilters(s), order: 'desc:lastChanged', size: 1 }));
		if (!latest) {
			throw new NodeOperationError(ctx.getNode(), `No instance of "${appIdOf(s)}" matches the filters`, {
				description: 'Create or complete an instance in the app, or loosen the filters, then fetch again.',
			});
		}
		return await finisher.instance(latest);
	}
	const filter = eventFilter(s.eventTypes, s.taskId);
	// Events lists oldest first: read recent windows forward, keep the last match.
	for (const windowMs of [24 * 60 * 60 * 1000, EVENT_RETENTION_MS]) {
		let latest: AppEvent | undefined;
		let failure: unknown;
		try {
			const from = new Date(now() - windowMs).toISOString();
			const pages = api.eventPages(s.org, s.app, {
				from,
				...(filter.serverTypes ? { type: filter.serverTypes } : {}),
				size: MAX_PAGE_SIZE,
			});
			for await (const page of pages) {
				for (const event of page) if (filter.matches(event.type)) latest = event;
				if (limits.now() >= limits.deadline) break;
			}
		} catch (error) {
			failure = error;
		}
		if (failure) throw asNodeError(ctx, failure);
		if (latest) return await finisher.event(latest);
	}
	const since = new Date(now() - EVENT_RETENTION_MS).toISOString();
	const problem = await noEventsProblem(ctx, api, s, since, now);
	if (problem) throw problem;
	throw new NodeOperationError(ctx.getNode(), `No matching event of "${appIdOf(s)}" in the last 90 days`, {
		description: 'Events keeps app events for 90 days. Make the app publish one (e.g. complete an instance), or choose other event types.',
	});
}

/** The app's newest change on Altinn's clock, with every instance changed at exactly that time. */
async function newestChange(
	ctx: IPollFunctions,
	api: TriggerApi,
	s: TriggerSettings,
): Promise<{ time: string; ids: string[] } | undefined> {
	const newest = await firstOrFail(ctx, api.instancePages({ appId: appIdOf(s), order: 'desc:lastChanged', size: 1 }));
	if (!newest) return undefined;
	const page = await firstPage(ctx, api.instancePages({ appId: appIdOf(s), lastChanged: `eq:${newest.lastChanged}`, size: MAX_PAGE_SIZE }));
	const ids = new Set([newest.id, ...(page ?? []).filter((i) => compareTimes(i.lastChanged, newest.lastChanged) === 0).map((i) => i.id)]);
	return { time: newest.lastChanged, ids: [...ids] };
}

async function firstPage<T>(ctx: IPollFunctions, pages: AsyncIterable<T[]>): Promise<T[] | undefined> {
	let failure: unknown;
	try {
		for await (const page of pages) return page;
		return undefined;
	} catch (error) {
		failure = error;
	}
	throw asNodeError(ctx, failure);
}

async function firstOrFail<T>(ctx: IPollFunctions, pages: AsyncIterable<T[]>): Promise<T | undefined> {
	let failure: unknown;
	try {
		for await (const page of pages) return page[0];
		return undefined;
	} catch (error) {
		failure = error;
	}
	throw asNodeError(ctx, failure);
}
