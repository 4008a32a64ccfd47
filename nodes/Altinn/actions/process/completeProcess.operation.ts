import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { appInstanceUrl, appParameters, instanceIdParameter, instanceTarget } from '../../shared/descriptions';
import { altinnRequest } from '../../transport';

const properties: INodeProperties[] = [...appParameters, instanceIdParameter];

export const description = updateDisplayOptions(
	{ show: { resource: ['process'], operation: ['completeProcess'] } },
	properties,
);

/**
 * App `PUT …/process/completeProcess`: moves the instance through every remaining task to the
 * end, validating each. Sent once; a 409 lists the validation issues that stopped it.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = instanceTarget.call(this, itemIndex);
	const url = `${await appInstanceUrl.call(this, target, itemIndex)}/process/completeProcess`;
	const state = await altinnRequest.call(
		this,
		{
			method: 'PUT',
			url,
			retry: 'never',
			target: `the process of ${target.label}`,
			action: 'write',
			ambiguous: 'Get the process state to see whether the process has ended before running it again.',
		},
		itemIndex,
	);
	return [{ json: state ?? {} }];
}
