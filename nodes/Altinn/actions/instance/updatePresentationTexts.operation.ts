import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { instanceIdParameter } from '../../shared/descriptions';
import { keyValueParameter, updateKeyValues } from './keyValues';

const properties: INodeProperties[] = [
	instanceIdParameter,
	keyValueParameter('texts', 'Presentation Texts', 'Text', 'Texts shown with the instance in the inbox. An empty value removes the key.'),
];

export const description = updateDisplayOptions({ show: { resource: ['instance'], operation: ['updatePresentationTexts'] } }, properties);

/** Storage `PUT …/presentationtexts` with `{ texts }`. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await updateKeyValues.call(this, itemIndex, { parameter: 'texts', label: 'Presentation Texts', path: '/presentationtexts', field: 'texts' });
}
