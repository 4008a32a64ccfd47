import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { appInstanceUrl, appParameters, instanceIdParameter, instanceTarget } from '../../shared/descriptions';
import { altinnRequest } from '../../transport';

const properties: INodeProperties[] = [...appParameters, instanceIdParameter];

/** Only reads: the router runs several items at a time. */
export const readOnly = true;

export const description = updateDisplayOptions({ show: { resource: ['process'], operation: ['getState'] } }, properties);

/** App `GET …/process`: the process state, with the current task and what the caller may do in it. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = instanceTarget.call(this, itemIndex);
	const url = `${await appInstanceUrl.call(this, target, itemIndex)}/process`;
	const state = await altinnRequest.call(
		this,
		{ method: 'GET', url, retry: 'safe', target: `the process of ${target.label}`, action: 'read' },
		itemIndex,
	);
	return [{ json: state ?? {} }];
}
