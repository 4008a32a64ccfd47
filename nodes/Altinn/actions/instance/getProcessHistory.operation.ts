import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { instanceIdParameter } from '../../shared/descriptions';
import { storageInstanceCall } from './common';

const properties: INodeProperties[] = [instanceIdParameter];

/** Only reads: the router runs several items at a time. */
export const readOnly = true;

export const description = updateDisplayOptions({ show: { resource: ['instance'], operation: ['getProcessHistory'] } }, properties);

/** Storage `GET …/process/history`: one item per history entry. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const body = await storageInstanceCall.call(this, itemIndex, { method: 'GET', path: '/process/history', action: 'read' });
	const history = (body.processHistory as IDataObject[] | undefined) ?? [];
	return history.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}
