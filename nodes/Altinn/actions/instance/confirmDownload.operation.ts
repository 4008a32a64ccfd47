import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { instanceIdParameter } from '../../shared/descriptions';
import { storageInstanceCall } from './common';

const properties: INodeProperties[] = [instanceIdParameter];

export const description = updateDisplayOptions({ show: { resource: ['instance'], operation: ['confirmDownload'] } }, properties);

/** Storage `POST …/complete`: the org confirms it has downloaded the instance (safe to repeat). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const instance = await storageInstanceCall.call(this, itemIndex, { method: 'POST', path: '/complete', action: 'complete' });
	return [{ json: instance, pairedItem: { item: itemIndex } }];
}
