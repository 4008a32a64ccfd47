import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { appInstanceUrl, appParameters, instanceIdParameter, instanceTarget } from '../../shared/descriptions';
import { altinnRequest } from '../../transport';

const properties: INodeProperties[] = [
	...appParameters,
	instanceIdParameter,
	{
		displayName: 'Action',
		name: 'action',
		type: 'string',
		default: '',
		placeholder: 'write',
		description:
			"The action that moves the process on, e.g. write, confirm, sign or reject. Leave empty to use the current task's default (write for a data task). The app's policy must grant it to the service owner.",
	},
];

export const description = updateDisplayOptions({ show: { resource: ['process'], operation: ['next'] } }, properties);

/**
 * App `PUT …/process/next` with an optional `{"action"}`: the app validates the current task
 * and moves the instance to the next one. Not repeatable: sent once. A 409 lists the app's
 * validation issues (the transport's error mapper formats them).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = instanceTarget.call(this, itemIndex);
	const action = (this.getNodeParameter('action', itemIndex, '') as string).trim();
	const url = `${await appInstanceUrl.call(this, target, itemIndex)}/process/next`;
	const state = await altinnRequest.call(
		this,
		{
			method: 'PUT',
			url,
			body: action ? { action } : undefined,
			retry: 'never',
			target: `the process of ${target.label}`,
			action: action || undefined,
			ambiguous: 'Get the process state to see whether the instance has moved to the next task before running it again.',
		},
		itemIndex,
	);
	return [{ json: state ?? {} }];
}
