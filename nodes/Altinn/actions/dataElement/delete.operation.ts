import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { appInstanceUrl, appParameters, instanceIdParameter, instanceTarget } from '../../shared/descriptions';
import { altinnRequest } from '../../transport';
import { dataElementId, dataElementIdParameter } from './elements';

const properties: INodeProperties[] = [...appParameters, instanceIdParameter, dataElementIdParameter];

export const description = updateDisplayOptions({ show: { resource: ['dataElement'], operation: ['delete'] } }, properties);

/**
 * App `DELETE …/data/{id}`: removes an element through the app (its validation runs). Deleting
 * is safe to repeat: a retry after a lost answer meets 404, which the transport counts as done.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = instanceTarget.call(this, itemIndex);
	const id = dataElementId.call(this, itemIndex);
	const url = `${await appInstanceUrl.call(this, target, itemIndex)}/data/${id}`;
	const body = (await altinnRequest.call(
		this,
		{
			method: 'DELETE',
			url,
			retry: 'safe',
			target: `data element ${id} of ${target.label}`,
			action: 'write',
		},
		itemIndex,
	)) as IDataObject | undefined;
	return [{ json: { deleted: true, id, instanceId: target.id, validationIssues: body?.validationIssues ?? [] } }];
}
