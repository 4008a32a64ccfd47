import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { instanceTarget, storageInstanceUrl } from '../../shared/descriptions';
import { altinnRequest, type AltinnRequestOptions } from '../../transport';

/**
 * One Storage call on the item's instance, `{storage}/instances/{partyId}/{guid}{path}`.
 * Every instance-level Storage call is idempotent (PUT, DELETE, `complete` returns the
 * instance if already confirmed), so all are retried on transient failures.
 */
export async function storageInstanceCall(
	this: IExecuteFunctions,
	itemIndex: number,
	request: Pick<AltinnRequestOptions, 'method' | 'body' | 'qs' | 'action'> & { path?: string },
): Promise<IDataObject> {
	const target = instanceTarget.call(this, itemIndex);
	const url = `${await storageInstanceUrl.call(this, target)}${request.path ?? ''}`;
	return (await altinnRequest.call(
		this,
		{ method: request.method, url, body: request.body, qs: request.qs, action: request.action, retry: 'safe', target: target.label },
		itemIndex,
	)) as IDataObject;
}

/** Key/value pairs from a fixedCollection `{ pairs: [{ key, value }] }` as an object. */
export function keyValues(collection: unknown): Record<string, string> {
	const pairs = (collection as { pairs?: Array<{ key?: unknown; value?: unknown }> } | undefined)?.pairs ?? [];
	const out: Record<string, string> = {};
	for (const pair of pairs) {
		const key = String(pair.key ?? '').trim();
		if (key) out[key] = pair.value === undefined || pair.value === null ? '' : String(pair.value);
	}
	return out;
}
