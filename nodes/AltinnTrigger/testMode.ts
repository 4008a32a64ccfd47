/**
 * "Fetch Test Event" (manual mode): the latest matching item, without touching the cursor, so the
 * user can build the workflow on a real record.
 */
import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { TriggerApi } from './api';
import { EVENT_RETENTION_MS } from './cursor';
import { noEventsProblem } from './eventSource';
import type { ItemFinisher } from './finisher';
import { instanceFilters, MAX_PAGE_SIZE } from './instanceSource';
import { asNodeError, firstOrFail } from './problems';
import { type AppEvent, eventFilter } from './records';
import { appIdOf, type TriggerSettings } from './settings';

export async function latestItem(
	ctx: IPollFunctions,
	api: TriggerApi,
	s: TriggerSettings,
	finisher: ItemFinisher,
	limits: { deadline: number; now: () => number },
	altinnNow: number,
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
			const from = new Date(altinnNow - windowMs).toISOString();
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
	const since = new Date(altinnNow - EVENT_RETENTION_MS).toISOString();
	const problem = await noEventsProblem(ctx, api, s, since, altinnNow);
	if (problem) throw problem;
	throw new NodeOperationError(ctx.getNode(), `No matching event of "${appIdOf(s)}" in the last 90 days`, {
		description: 'Events keeps app events for 90 days. Make the app publish one (e.g. complete an instance), or choose other event types.',
	});
}
