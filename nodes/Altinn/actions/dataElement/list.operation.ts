import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { instanceIdParameter, instanceTarget } from '../../shared/descriptions';
import { fetchDataElements } from './elements';

const properties: INodeProperties[] = [instanceIdParameter];

/** Only reads: the router runs several items at a time. */
export const readOnly = true;

export const description = updateDisplayOptions({ show: { resource: ['dataElement'], operation: ['list'] } }, properties);

/** Storage `GET …/dataelements`: one item per data element (metadata only). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = instanceTarget.call(this, itemIndex);
	const elements = await fetchDataElements.call(this, target, itemIndex);
	return elements.map((element) => ({ json: element }));
}
