import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { instanceIdParameter } from '../../shared/descriptions';
import { keyValueParameter, updateKeyValues } from './keyValues';

const properties: INodeProperties[] = [
	instanceIdParameter,
	keyValueParameter('values', 'Data Values', 'Value', 'Searchable key/value data stored on the instance. An empty value removes the key.'),
];

export const description = updateDisplayOptions({ show: { resource: ['instance'], operation: ['updateDataValues'] } }, properties);

/** Storage `PUT …/datavalues` with `{ values }`. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await updateKeyValues.call(this, itemIndex, { parameter: 'values', label: 'Data Values', path: '/datavalues', field: 'values' });
}
