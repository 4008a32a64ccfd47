import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { instanceIdParameter, instanceTarget } from '../../shared/descriptions';
import { dataElementId, dataElementIdParameter, downloadDataElement, fetchDataElement } from './elements';

export const outputFieldParameter: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	required: true,
	default: 'data',
	hint: 'The name of the output binary field to put the file in',
};

const properties: INodeProperties[] = [instanceIdParameter, dataElementIdParameter, outputFieldParameter];

/** Only reads: the router runs several items at a time. */
export const readOnly = true;

export const description = updateDisplayOptions({ show: { resource: ['dataElement'], operation: ['download'] } }, properties);

/**
 * One data element's bytes (Storage `GET …/data/{id}`, the stored file as is) into a binary
 * field, keeping its file name and content type. The item's JSON is the element's metadata.
 * Streams into n8n's binary store.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = instanceTarget.call(this, itemIndex);
	const id = dataElementId.call(this, itemIndex);
	const field = this.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string;
	const element = await fetchDataElement.call(this, target, id, itemIndex);
	const binary = await downloadDataElement.call(this, target, id, element, itemIndex);
	return [{ json: element, binary: { [field]: binary } }];
}
