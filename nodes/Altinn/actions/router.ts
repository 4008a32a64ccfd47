/**
 * The per-item loop. Reads resource and operation, runs the operation's `execute` once per
 * input item, and:
 *   - sets `pairedItem` on every output item (to the input item it came from);
 *   - with continueOnFail (node setting "On Error: Continue"), turns a failed item into one
 *     error item `{ error, description? }` paired with it, and goes on;
 *   - otherwise re-throws the operation's NodeApiError / NodeOperationError with the item index
 *     set (n8n's constructors return an existing error as is, dropping a new itemIndex), and
 *     reports anything else (a TypeError: a bug here, not Altinn's doing) as an internal error;
 *   - by default runs read-only operations (`readOnly` in the operation module) up to
 *     `CONCURRENCY.reads` items at a time, fewer while Altinn asks to slow down (pacing.ts), and
 *     every other operation one item at a time, in input order;
 *   - with Request Options > Batching (the user's explicit throttle), runs `Items per Batch`
 *     items concurrently and pauses between batches instead;
 *   - the output keeps the input order either way;
 *   - as an AI agent's tool, refuses destructive operations unless allowed (toolSafety.ts).
 *
 * To add a resource, see `resources.ts` (one import and one entry; nothing to change here).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { REQUEST_OPTIONS } from '../transport';
import { pacingOf } from '../transport/pacing';
import { runItemPool } from './itemPool';
import type { AltinnOperation, AltinnResource } from './resources';
import { resources } from './resources';
import { assertToolMayRun } from './toolSafety';

export interface Batching {
	/** Items processed at the same time. */
	size: number;
	/** Pause between batches, in milliseconds. */
	pauseMs: number;
}

/**
 * Items of a read-only operation in flight at once by default. Chosen from `npm run bench`
 * (README, Performance), which sweeps it: at 20 ms latency the time stops falling at 16 (32 is
 * no faster). Pacing halves it when Altinn asks to slow down. An object so that the bench can
 * sweep it.
 */
export const CONCURRENCY = { reads: 16 };

/** Pure: whether the user set Batching (the node's explicit throttle). */
function hasBatching(value: unknown): boolean {
	return !!(value as { batch?: unknown } | undefined)?.batch;
}

/** Pure: the batching setting, or one item at a time without pause. */
export function batchingFrom(value: unknown): Batching {
	const batch = (value as { batch?: { batchSize?: unknown; batchInterval?: unknown } } | undefined)?.batch;
	const size = Math.max(1, Math.floor(Number(batch?.batchSize ?? 1)) || 1);
	const pauseMs = Math.max(0, Number(batch?.batchInterval ?? 0) || 0);
	return { size, pauseMs };
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const found = (resources as Record<string, AltinnResource>)[resource]?.operations[operation];
	if (!found) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not known`);
	}
	assertToolMayRun(this, resource, operation);
	const batching = this.getNodeParameter(`${REQUEST_OPTIONS}.batching`, 0, {});
	const results: INodeExecutionData[][] = new Array(items.length);
	if (!hasBatching(batching)) {
		const pacing = pacingOf(this, found.readOnly ? CONCURRENCY.reads : 1);
		await runItemPool(items.length, () => pacing.limit, async (itemIndex) => {
			results[itemIndex] = await runItem.call(this, found, itemIndex);
		});
		return [results.flat()];
	}
	const { size, pauseMs } = batchingFrom(batching);
	for (let start = 0; start < items.length; start += size) {
		if (start > 0 && pauseMs > 0) await sleep(pauseMs);
		const batch = Array.from({ length: Math.min(size, items.length - start) }, (_, k) => start + k);
		await Promise.all(
			batch.map(async (itemIndex) => {
				results[itemIndex] = await runItem.call(this, found, itemIndex);
			}),
		);
	}
	return [results.flat()];
}

async function runItem(this: IExecuteFunctions, operation: AltinnOperation, itemIndex: number): Promise<INodeExecutionData[]> {
	try {
		const output = await operation.execute.call(this, itemIndex);
		return output.map((item) => ({ ...item, pairedItem: item.pairedItem ?? { item: itemIndex } }));
	} catch (error) {
		if (this.continueOnFail()) {
			const json: IDataObject = { error: (error as Error).message };
			const description = (error as { description?: unknown }).description;
			if (typeof description === 'string' && description) json.description = description;
			const httpCode = (error as { httpCode?: unknown }).httpCode;
			if (typeof httpCode === 'string' && httpCode) json.httpCode = httpCode;
			return [{ json, pairedItem: { item: itemIndex } }];
		}
		throw withItemIndex(this, error, itemIndex);
	}
}

/**
 * The error to throw for a failed item, carrying its index. Errors of n8n (an expression that
 * fails, a missing binary field) keep their message; a TypeError and its kin are bugs.
 */
function withItemIndex(ctx: IExecuteFunctions, error: unknown, itemIndex: number): Error {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	const programmingError = error instanceof TypeError || error instanceof ReferenceError || error instanceof RangeError || error instanceof SyntaxError;
	if (!programmingError) return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
	return new NodeOperationError(ctx.getNode(), `Internal error in the Altinn node: ${(error as Error)?.message ?? String(error)}`, {
		itemIndex,
		description: 'This is a bug in n8n-nodes-altinn, not an answer from Altinn. Please report it with the operation you ran.',
	});
}
