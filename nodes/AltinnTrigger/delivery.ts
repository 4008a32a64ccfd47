/**
 * At least once until confirmed. With "Not Yet Confirmed by Us" the truth is Altinn's confirmation
 * state, not the cursor: the cursor moves when an item is emitted, before the workflow runs, so a
 * workflow that fails before Confirm Download would otherwise lose the instance.
 *
 * Each emitted instance is remembered in the cursor (`seen`, with the time it was emitted on
 * Altinn's clock and the attempt). Once one has waited `redeliverMs`, a sweep lists the instances the
 * org has not confirmed (`excludeConfirmedBy` with the trigger's filters, oldest first, paged from
 * the oldest waiting one): those still there are emitted again (`redelivered: true`, attempt + 1),
 * up to `maxDeliveries`, then reported once with `gaveUp: true`; those gone were confirmed and are
 * forgotten. Without that filter the trigger emits each change once, and `seen` only keeps the
 * fingerprints that pass over self-made changes (selfChanges.ts).
 */
import type { INodeExecutionData } from 'n8n-workflow';

import type { TriggerApi } from './api';
import { compareTimes, type InstanceCursor, type SeenEntry } from './cursor';
import { instanceFilters, MAX_PAGE_SIZE } from './instanceSource';
import type { StorageInstance } from './records';
import { instanceFingerprint } from './selfChanges';
import type { TriggerSettings } from './settings';

/** Fingerprints kept for instances that no longer wait for confirmation (newest first). */
const REMEMBERED_FINGERPRINTS = 1000;

export type Seen = Record<string, SeenEntry>;

/** How an item came about: its delivery number, and whether Altinn still lacked the confirmation after the last. */
export interface Delivery {
	attempt: number;
	redelivered: boolean;
	gaveUp?: boolean;
}

/** True when the instance is as it was when last emitted, but for fields a workflow writes itself. */
export function isSelfMade(seen: Seen | undefined, instance: StorageInstance): boolean {
	const entry = seen?.[instance.id];
	return !!entry && entry.fp === instanceFingerprint(instance);
}

/**
 * Notes an emitted instance in `seen` (changed in place: one poll may emit thousands), waiting for
 * confirmation from `atMs`, or only its fingerprint. Call `prune` once the poll is done.
 */
export function remember(seen: Seen, instance: StorageInstance, waiting?: { atMs: number; attempt: number }): void {
	// Re-inserted last: key order is the order of emission, which `prune` relies on.
	delete seen[instance.id];
	const fp = instanceFingerprint(instance);
	seen[instance.id] = waiting ? { fp, at: waiting.atMs, n: waiting.attempt, lc: instance.lastChanged } : { fp };
}

/** Keeps every waiting instance and the newest `REMEMBERED_FINGERPRINTS` others. */
export function prune(seen: Seen): Seen {
	const settledIds = Object.keys(seen).filter((id) => seen[id].at === undefined);
	const drop = settledIds.length - REMEMBERED_FINGERPRINTS;
	if (drop <= 0) return seen;
	const next = { ...seen };
	for (const id of settledIds.slice(0, drop)) delete next[id];
	return next;
}

export interface SweepResult {
	items: INodeExecutionData[];
	cursor: InstanceCursor;
	/** Instances emitted by the sweep: the drain passes over them in the same poll. */
	emitted: Set<string>;
	/** Requests made (pages read), for the logs and the tests. */
	pages: number;
}

/**
 * Emits again the waiting instances that are due and still unconfirmed, and forgets those confirmed.
 * Makes no request when none is due, and stops reading once it has a poll's worth of due instances.
 */
export async function sweep(
	api: TriggerApi,
	s: TriggerSettings,
	cursor: InstanceCursor,
	nowMs: number,
	maxItems: number,
	finish: (instance: StorageInstance, delivery: Delivery) => Promise<INodeExecutionData>,
): Promise<SweepResult> {
	const seen = cursor.seen ?? {};
	const waiting = Object.entries(seen).filter(([, e]) => e.at !== undefined);
	const due = waiting.filter(([, e]) => (e.at as number) + s.redeliverMs <= nowMs);
	const result: SweepResult = { items: [], cursor, emitted: new Set(), pages: 0 };
	if (due.length === 0 || maxItems <= 0) return result;

	// Every waiting instance changed at or after the oldest `lastChanged` it was emitted with.
	const oldest = waiting.map(([, e]) => e.lc as string).reduce((a, b) => (compareTimes(a, b) <= 0 ? a : b));
	const unconfirmed = new Map<string, StorageInstance>();
	const pages = api.instancePages({
		...instanceFilters(s, true),
		lastChanged: `gte:${oldest}`,
		order: 'asc:lastChanged',
		size: MAX_PAGE_SIZE,
	});
	// This poll's batch: the longest-waiting due instances, as many as the poll may emit.
	const batch = due.sort(([, x], [, y]) => (x.at as number) - (y.at as number)).slice(0, maxItems);
	const batchIds = new Set(batch.map(([id]) => id));
	let batchFound = 0;
	// Read to the end, unless every instance of the batch was found: the rest waits for the next poll.
	let complete = true;
	for await (const page of pages) {
		result.pages++;
		for (const instance of page) {
			if (seen[instance.id]?.at === undefined || unconfirmed.has(instance.id)) continue;
			unconfirmed.set(instance.id, instance);
			if (batchIds.has(instance.id)) batchFound++;
		}
		if (batchFound === batch.length) {
			complete = false;
			break;
		}
	}

	const next: Seen = { ...seen };
	// Confirmed (or no longer matching the filters): stop waiting, keep the fingerprint. Only known
	// after reading to the end (an instance changed since it was emitted sorts later).
	if (complete) for (const [id, entry] of waiting) if (!unconfirmed.has(id)) next[id] = { fp: entry.fp };
	for (const [id, entry] of batch) {
		const instance = unconfirmed.get(id);
		if (!instance) continue;
		const attempt = (entry.n ?? 1) + 1;
		if ((entry.n ?? 1) >= s.maxDeliveries) {
			result.items.push(await finish(instance, { attempt: entry.n ?? 1, redelivered: true, gaveUp: true }));
			remember(next, instance);
		} else {
			result.items.push(await finish(instance, { attempt, redelivered: true }));
			remember(next, instance, { atMs: nowMs, attempt });
		}
		result.emitted.add(id);
	}
	result.cursor = { ...cursor, seen: next };
	return result;
}
