import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { instanceIdParameter } from '../../shared/descriptions';
import { storageInstanceCall } from './common';

const properties: INodeProperties[] = [
	instanceIdParameter,
	{
		displayName: 'Label',
		name: 'label',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'substatus.approved',
		description: 'The substatus label (a text key of the app, or plain text) shown to the instance owner',
	},
	{
		displayName: 'Description',
		name: 'substatusDescription',
		type: 'string',
		default: '',
		description: 'Optional longer text (or text key) shown with the label',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['instance'], operation: ['setSubstatus'] } }, properties);

/** Storage `PUT …/substatus` with `{ label, description }`. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const label = String(this.getNodeParameter('label', itemIndex, '')).trim();
	if (!label) throw new NodeOperationError(this.getNode(), 'Label is empty', { itemIndex, description: 'A substatus needs a label.' });
	const text = String(this.getNodeParameter('substatusDescription', itemIndex, '')).trim();
	const instance = await storageInstanceCall.call(this, itemIndex, {
		method: 'PUT',
		path: '/substatus',
		body: { label, ...(text ? { description: text } : {}) },
		action: 'write',
	});
	return [{ json: instance, pairedItem: { item: itemIndex } }];
}
