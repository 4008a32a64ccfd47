import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { instanceIdParameter } from '../../shared/descriptions';
import { storageInstanceCall } from './common';

const properties: INodeProperties[] = [
	instanceIdParameter,
	{
		displayName: 'Read Status',
		name: 'readStatus',
		type: 'options',
		default: 'Read',
		options: [
			{ name: 'Read', value: 'Read' },
			{ name: 'Unread', value: 'Unread' },
			{ name: 'Updated Since Last Review', value: 'UpdatedSinceLastReview' },
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['instance'], operation: ['setReadStatus'] } }, properties);

/** Storage `PUT …/readstatus?status=`. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const status = this.getNodeParameter('readStatus', itemIndex) as string;
	const instance = await storageInstanceCall.call(this, itemIndex, { method: 'PUT', path: '/readstatus', qs: { status }, action: 'read' });
	return [{ json: instance, pairedItem: { item: itemIndex } }];
}
