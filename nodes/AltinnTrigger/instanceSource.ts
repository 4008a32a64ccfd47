/**
 * Source "Instance Changes": Storage `GET /instances` of the app, oldest change first, from the
 * cursor on. Works for every app.
 */
import type { Query, TriggerApi } from './api';
import { afterInstance, instanceQueryFrom, type InstanceCursor, isNewInstance } from './cursor';
import { isSelfMade, remember, type Seen } from './delivery';
import type { DrainSource } from './drain';
import type { StorageInstance } from './records';
import { appIdOf, redelivers, type TriggerSettings } from './settings';

/** Largest page asked of Storage or Events: small enough that a slow page never eats the budget. */
export const MAX_PAGE_SIZE = 200;

export const pageSize = (s: TriggerSettings) => Math.min(s.maxItems + 1, MAX_PAGE_SIZE);

/** The Storage query for the trigger's filters; the catch-up and the redelivery sweep always leave out confirmed instances. */
export function instanceFilters(s: TriggerSettings, unconfirmedOnly = false): Query {
	const q: Query = { appId: appIdOf(s) };
	if (s.filters.onlyCompleted) q['process.isComplete'] = true;
	if (s.filters.notConfirmed || unconfirmedOnly) q.excludeConfirmedBy = s.org;
	if (s.filters.currentTask?.trim()) q['process.currentTask'] = s.filters.currentTask.trim();
	return q;
}

/**
 * Storage stamps `lastChanged` in the controller (`DateTime.UtcNow`) before the change is written
 * (altinn-storage InstancesController, ProcessController, commit d9364e4), so two changes committed
 * out of order could let the cursor pass a time before the earlier one is visible. Changes younger
 * than the settle time, on Altinn's clock (`nowMs`), are left for a later poll. The catch-up of
 * "everything not yet confirmed" is bounded by the app's newest change at start instead.
 *
 * Passed over without being emitted: changes during a silent start, self-made changes (selfChanges.ts)
 * and instances the redelivery sweep has just emitted (`skip`).
 */
export function instanceSource(
	api: TriggerApi,
	s: TriggerSettings,
	nowMs: number,
	skip: Set<string> = new Set(),
): DrainSource<StorageInstance, InstanceCursor> {
	const settled = s.settleMs > 0 ? [`lt:${new Date(nowMs - s.settleMs).toISOString()}`] : [];
	const wanted = (cursor: InstanceCursor, instance: StorageInstance) =>
		!cursor.silent && !skip.has(instance.id) && !isSelfMade(cursor.seen, instance);
	// One copy per poll, changed in place as items are emitted (the stored cursor stays as it was).
	let seen: Seen | undefined;
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
		advance: (cursor, instance) => {
			const next = afterInstance(cursor, instance);
			if (!wanted(cursor, instance)) return next;
			seen ??= { ...cursor.seen };
			remember(seen, instance, redelivers(s) ? { atMs: nowMs, attempt: 1 } : undefined);
			return { ...next, seen };
		},
		wanted,
	};
}
