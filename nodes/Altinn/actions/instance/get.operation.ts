import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { instanceIdParameter, instanceTarget, storageInstanceUrl } from '../../shared/descriptions';
import { altinnRequest } from '../../transport';

const properties: INodeProperties[] = [instanceIdParameter];

/** Only reads: the router runs several items at a time. */
export const readOnly = true;

export const description = updateDisplayOptions({ show: { resource: ['instance'], operation: ['get'] } }, properties);

/** Storage `GET /instances/{partyId}/{instanceGuid}`. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = instanceTarget.call(this, itemIndex);
	const instance = await altinnRequest.call(
		this,
		{ method: 'GET', url: await storageInstanceUrl.call(this, target), retry: 'safe', target: target.label, action: 'read' },
		itemIndex,
	);
	return [{ json: instance, pairedItem: { item: itemIndex } }];
}
