/**
 * The trigger's poll: settings in, items out, cursor kept in the node's static data. Each part
 * reads on its own: the sources (instanceSource.ts, eventSource.ts), the catch-up (catchUp.ts),
 * redelivery until confirmed (delivery.ts), the manual test mode (testMode.ts), the pure cursor
 * rules and drain (cursor.ts, drain.ts). The HTTP calls go through `TriggerApi`.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { TriggerApi } from './api';
import { newestChange } from './catchUp';
import type { AltinnClock } from './clock';
import { caughtUp, type Cursor, cursorScope, environmentKey, initialCursor, readCursor } from './cursor';
import { prune, sweep } from './delivery';
import { drain, type DrainResult } from './drain';
import { checkEventsArePublished, eventSource } from './eventSource';
import { ItemFinisher } from './finisher';
import { instanceSource } from './instanceSource';
import { asNodeError, checkAppExists, orFail } from './problems';
import { appIdOf, redelivers, type TriggerSettings } from './settings';
import { latestItem } from './testMode';

export { readSettings, type TriggerSettings } from './settings';

/** Fallback when n8n does not say how long a poll may take (n8n-core before 2.41). */
export const DEFAULT_POLL_BUDGET_MS = 5 * 60 * 1000;
/** Share of the poll budget spent reading and finishing; the rest is left for n8n to start the execution. */
const BUDGET_SHARE = 0.6;

/**
 * Polls in flight, by workflow and node. n8n starts a poll on every tick even while the previous
 * one is still running (a long backlog, a short interval); two polls from the same cursor would
 * emit the same records twice, so a tick that finds one in flight does nothing. Polls run in the
 * one main process that holds the workflow's activation, so a process-wide set is enough.
 */
const inFlight = new Set<string>();

/**
 * One poll. Active mode: resume from the stored cursor, emit what is new (and, with "Not Yet
 * Confirmed by Us", what is still unconfirmed long after it was emitted), store the cursor just past
 * what was emitted. Manual mode ("Fetch test event"): the latest matching item, cursor untouched.
 */
export async function pollTrigger(
	ctx: IPollFunctions,
	api: TriggerApi,
	settings: TriggerSettings,
	clock: AltinnClock,
	now: () => number = () => Date.now(),
): Promise<INodeExecutionData[][] | null> {
	if (ctx.getMode() === 'manual') return await testPoll(ctx, api, settings, clock, now);
	const key = `${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`;
	if (inFlight.has(key)) return null;
	inFlight.add(key);
	try {
		return await activePoll(ctx, api, settings, clock, now);
	} finally {
		inFlight.delete(key);
	}
}

function limitsOf(ctx: IPollFunctions, settings: TriggerSettings, now: () => number) {
	return { maxItems: settings.maxItems, deadline: now() + pollBudget(ctx) * BUDGET_SHARE, now };
}

async function testPoll(ctx: IPollFunctions, api: TriggerApi, s: TriggerSettings, clock: AltinnClock, now: () => number) {
	await checkAppExists(ctx, api, s);
	const item = await latestItem(ctx, api, s, new ItemFinisher(ctx, api, s, redelivers(s)), limitsOf(ctx, s, now), clock.now());
	return [[item]];
}

async function activePoll(
	ctx: IPollFunctions,
	api: TriggerApi,
	settings: TriggerSettings,
	clock: AltinnClock,
	now: () => number,
): Promise<INodeExecutionData[][] | null> {
	const limits = limitsOf(ctx, settings, now);
	const finisher = new ItemFinisher(ctx, api, settings, redelivers(settings));
	const staticData = ctx.getWorkflowStaticData('node');
	const environment = environmentKey(api.environment.platform, api.environment.clientId);
	const start = { from: settings.startFrom, time: settings.startTime };
	const stored = readStoredCursor(ctx, staticData, cursorScope(settings.source, appIdOf(settings), start, environment));

	let cursor: Cursor | undefined = stored;
	if (!cursor) {
		// A new trigger, or one whose app, source, start or environment changed: start from Start From.
		await checkAppExists(ctx, api, settings);
		const newest =
			settings.source === 'instanceChanges' && settings.startFrom === 'unconfirmed'
				? await newestChange(ctx, api, settings)
				: undefined;
		cursor = initialCursor(settings.source, appIdOf(settings), start, clock.now(), newest, environment);
	} else if (!clock.known) {
		// No answer has told Altinn's time yet (a cursor from an older version): ask the cheapest one.
		await checkAppExists(ctx, api, settings);
	}
	const altinnNow = clock.now();

	let items: INodeExecutionData[] = [];
	let skip = new Set<string>();
	if (cursor.kind === 'instances' && redelivers(settings) && !cursor.silent) {
		const waiting = cursor;
		const swept = await orFail(ctx, async () =>
			await sweep(api, settings, waiting, altinnNow, settings.maxItems, async (i, d) => await finisher.instance(i, d)),
		);
		items = swept.items;
		skip = swept.emitted;
		cursor = swept.cursor;
	}

	const drainLimits = { ...limits, maxItems: Math.max(0, settings.maxItems - items.length) };
	const result: DrainResult<Cursor, INodeExecutionData> =
		cursor.kind === 'events'
			? await drain(eventSource(api, settings, altinnNow), cursor, drainLimits, async (e) => await finisher.event(e))
			: await drain(instanceSource(api, settings, altinnNow, skip), cursor, drainLimits, async (i) => await finisher.instance(i));
	items = [...items, ...result.items];

	if (result.outcome === 'failed' && items.length === 0) throw asNodeError(ctx, result.error);

	let next: Cursor = result.outcome === 'caughtUp' ? caughtUp(result.cursor) : result.cursor;
	if (next.kind === 'instances' && next.seen) next = { ...next, seen: prune(next.seen) };
	if (next.kind === 'events') {
		next = await checkEventsArePublished(ctx, api, settings, next, result, staticData, clock.now());
	}
	if (!stored || JSON.stringify(stored) !== JSON.stringify(next)) staticData.cursor = next as unknown as IDataObject;
	keepClockOffset(staticData, clock);
	return items.length > 0 ? [items] : null;
}

/** Keeps Altinn's clock offset for the next poll; rewritten only when it moved a second or more, so a quiet poll leaves static data unchanged. */
function keepClockOffset(staticData: IDataObject, clock: AltinnClock): void {
	const offset = clock.offset;
	if (offset === undefined) return;
	const kept = Number(staticData.clockOffsetMs);
	if (!Number.isFinite(kept) || Math.abs(kept - offset) >= 1000) staticData.clockOffsetMs = Math.round(offset);
}

function readStoredCursor(ctx: IPollFunctions, staticData: IDataObject, scope: string): Cursor | undefined {
	try {
		return readCursor(staticData.cursor, scope);
	} catch {
		throw new NodeOperationError(ctx.getNode(), 'The trigger\'s saved position is damaged', {
			description:
				'Its static data holds a cursor that cannot be read. To start again from a known point, change Start From or Start Time.',
		});
	}
}

function pollBudget(ctx: IPollFunctions): number {
	const fn = (ctx as { getPollBudgetMs?: () => number }).getPollBudgetMs;
	const budget = typeof fn === 'function' ? Number(fn.call(ctx)) : NaN;
	return Number.isFinite(budget) && budget > 0 ? budget : DEFAULT_POLL_BUDGET_MS;
}
