/**
 * One poll, independent of n8n and HTTP: read pages of records from the cursor on, turn each new
 * record into an output item, and move the cursor past exactly the records that were finished.
 *
 * Failure semantics (the contract the node and its tests rely on):
 * - Records are finished in order, one at a time; the cursor moves past a record only once its
 *   item is complete (enrichment and downloads included).
 * - A failure (a page that cannot be read, an item that cannot be finished) stops the poll. The
 *   finished prefix is kept with the cursor just past it; nothing after the failure is emitted.
 *   The caller emits that prefix, or throws the error when the prefix is empty, so a persistent
 *   fault still surfaces: the next poll starts at the failing record and fails with nothing to emit.
 * - The poll stops early, cursor at the last finished record, when the item cap or the time budget is
 *   reached; the next poll continues from there. The budget is checked only after the first page and
 *   the first item, so every poll makes progress however slow Altinn is.
 */

export interface DrainSource<R, C> {
	/** Pages of records from the cursor on, in cursor order. Throws on a page that cannot be read. */
	pages(cursor: C): AsyncIterable<R[]>;
	/** False for a record the cursor has already passed (equal timestamps, an overlapping page). */
	isNew(cursor: C, record: R): boolean;
	/** The cursor just past this record. */
	advance(cursor: C, record: R): C;
	/** False for a record to pass over without emitting (a type filter applied here, a silent start). */
	wanted(cursor: C, record: R): boolean;
}

export interface DrainLimits {
	/** Emit at most this many items. */
	maxItems: number;
	/** Stop reading and finishing once `now()` reaches this (epoch ms). */
	deadline: number;
	now: () => number;
}

export type DrainOutcome = 'caughtUp' | 'itemLimit' | 'budget' | 'failed';

export interface DrainResult<C, O> {
	items: O[];
	cursor: C;
	outcome: DrainOutcome;
	/** Records read (new or not), pages read: for logs and tests. */
	read: number;
	pages: number;
	error?: unknown;
}

export async function drain<R, C, O>(
	source: DrainSource<R, C>,
	start: C,
	limits: DrainLimits,
	finish: (record: R) => Promise<O>,
): Promise<DrainResult<C, O>> {
	const items: O[] = [];
	let cursor = start;
	let read = 0;
	let pages = 0;
	const result = (outcome: DrainOutcome, error?: unknown): DrainResult<C, O> => ({
		items,
		cursor,
		outcome,
		read,
		pages,
		...(error === undefined ? {} : { error }),
	});

	const iterator = source.pages(start)[Symbol.asyncIterator]();
	try {
		while (true) {
			// A full poll asks for no page it cannot emit from (the next poll reads from the cursor anyway).
			if (items.length >= limits.maxItems) return result('itemLimit');
			// Every poll reads at least one page, so a slow Altinn or a tiny budget still makes progress.
			if (pages > 0 && limits.now() >= limits.deadline) return result('budget');
			let page: IteratorResult<R[]>;
			try {
				page = await iterator.next();
			} catch (error) {
				return result('failed', error);
			}
			if (page.done) return result('caughtUp');
			pages++;
			for (const record of page.value) {
				read++;
				if (!source.isNew(cursor, record)) continue;
				if (!source.wanted(cursor, record)) {
					cursor = source.advance(cursor, record);
					continue;
				}
				if (items.length >= limits.maxItems) return result('itemLimit');
				if (items.length > 0 && limits.now() >= limits.deadline) return result('budget');
				try {
					items.push(await finish(record));
				} catch (error) {
					return result('failed', error);
				}
				cursor = source.advance(cursor, record);
			}
		}
	} finally {
		// Stop the page generator (it may hold a request in flight or a continuation token).
		void iterator.return?.(undefined)?.catch(() => undefined);
	}
}
