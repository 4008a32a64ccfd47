/**
 * Source "App Events": Events `GET /app/{org}/{app}` from the cursor on, in Events' order. Only
 * for apps that publish events. Events itself holds back what was registered less than 30 s ago
 * (getappevents_v2, altinn-events commit d7232ac): that is this source's settle time, on Altinn's clock.
 */
import type { IDataObject, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { TriggerApi } from './api';
import { afterEvent, type Cursor, type EventCursor, eventQueryFrom, isNewEvent } from './cursor';
import type { DrainResult, DrainSource } from './drain';
import { pageSize } from './instanceSource';
import { type AppEvent, eventFilter } from './records';
import { appIdOf, type TriggerSettings } from './settings';

/** How often an App events trigger that has never seen an event checks whether the app publishes any. */
const NO_EVENTS_CHECK_INTERVAL_MS = 60 * 60 * 1000;
/** Grace for an app to publish the event of an instance it just created (Events adds its own 30 s). */
const EVENT_DELIVERY_GRACE_MS = 90 * 1000;

export function eventSource(api: TriggerApi, s: TriggerSettings, nowMs: number): DrainSource<AppEvent, EventCursor> {
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

/**
 * An App events trigger that has never seen an event: if Storage shows instances created in the
 * same window while Events has none of any type, the app does not publish events (most apps do not:
 * RegisterEventsWithEventsComponent is off by default). Checked at most hourly; raises a clear error.
 */
export async function checkEventsArePublished(
	ctx: IPollFunctions,
	api: TriggerApi,
	s: TriggerSettings,
	cursor: EventCursor,
	result: DrainResult<Cursor, unknown>,
	staticData: IDataObject,
	nowMs: number,
): Promise<EventCursor> {
	if (cursor.after || result.read > 0 || result.outcome !== 'caughtUp') return cursor;
	const last = Number(staticData.eventsCheckedAt ?? 0);
	if (nowMs - last < NO_EVENTS_CHECK_INTERVAL_MS) return cursor;
	const problem = await noEventsProblem(ctx, api, s, cursor.from, nowMs);
	if (problem) throw problem;
	staticData.eventsCheckedAt = nowMs;
	return cursor;
}

export async function noEventsProblem(
	ctx: IPollFunctions,
	api: TriggerApi,
	s: TriggerSettings,
	since: string,
	nowMs: number,
): Promise<NodeOperationError | undefined> {
	const first = async <T>(pages: AsyncIterable<T[]>): Promise<T | undefined> => {
		for await (const page of pages) return page[0];
		return undefined;
	};
	const anyEvent = await first(api.eventPages(s.org, s.app, { from: since, size: 1 }));
	if (anyEvent) return undefined;
	const until = new Date(nowMs - EVENT_DELIVERY_GRACE_MS).toISOString();
	const created = await first(
		api.instancePages({ appId: appIdOf(s), created: [`gte:${since}`, `lt:${until}`], size: 1 }),
	);
	if (!created) return undefined;
	return new NodeOperationError(ctx.getNode(), `The app "${appIdOf(s)}" does not seem to publish events`, {
		description: `Storage has instances of the app created since ${since} (e.g. ${created.id}), but the Events API returns no event of any type for it in that time. Apps publish events only when RegisterEventsWithEventsComponent is on, which is off by default (or the app's policy does not let this org read its events). Use the source "Instance Changes" instead, which works for every app.`,
	});
}
