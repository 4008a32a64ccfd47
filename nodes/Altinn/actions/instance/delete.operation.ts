import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { instanceIdParameter, instanceTarget } from '../../shared/descriptions';
import { storageInstanceCall } from './common';

const properties: INodeProperties[] = [
	instanceIdParameter,
	{
		displayName: 'Hard Delete',
		name: 'hard',
		type: 'boolean',
		default: false,
		description:
			"Whether to mark the instance hard deleted (removed for the owner for good) instead of soft deleted (restorable). Needs the app's policy to grant the org 'delete'.",
	},
];

export const description = updateDisplayOptions({ show: { resource: ['instance'], operation: ['delete'] } }, properties);

/** Storage `DELETE …?hard=`. Retried as safe; a 404 to a retry (the first attempt's answer was lost) counts as done. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const hard = this.getNodeParameter('hard', itemIndex, false) as boolean;
	const instance = await storageInstanceCall.call(this, itemIndex, { method: 'DELETE', qs: { hard }, action: 'delete' });
	const json = instance ?? { id: instanceTarget.call(this, itemIndex).id, deleted: true };
	return [{ json, pairedItem: { item: itemIndex } }];
}
