/**
 * The per-item loop. Reads resource and operation, runs the operation's `execute` once per
 * input item, and:
 *   - sets `pairedItem` on every output item (to the input item it came from);
 *   - with continueOnFail (node setting "On Error: Continue"), turns a failed item into one
 *     error item `{ error, description? }` paired with it, and goes on;
 *   - otherwise throws NodeApiError / NodeOperationError carrying the item index;
 *   - with Request Options > Batching, runs `Items per Batch` items concurrently and pauses
 *     between batches; the output keeps the input order;
 *   - as an AI agent's tool, refuses destructive operations unless allowed (toolSafety.ts).
 *
 * To add a resource, see `resources.ts` (one import and one entry; nothing to change here).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { REQUEST_OPTIONS } from '../transport';
import type { AltinnOperation, AltinnResource } from './resources';
import { resources } from './resources';
import { assertToolMayRun } from './toolSafety';

export interface Batching {
	/** Items processed at the same time. */
	size: number;
	/** Pause between batches, in milliseconds. */
	pauseMs: number;
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
	const { size, pauseMs } = batchingFrom(this.getNodeParameter(`${REQUEST_OPTIONS}.batching`, 0, {}));

	const results: INodeExecutionData[][] = new Array(items.length);
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
		if (error instanceof NodeOperationError) {
			throw new NodeOperationError(this.getNode(), error, { itemIndex });
		}
		throw new NodeApiError(this.getNode(), error as JsonObject, { itemIndex });
	}
}
