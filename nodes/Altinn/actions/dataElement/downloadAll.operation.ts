import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { instanceIdParameter, instanceTarget } from '../../shared/descriptions';
import { outputFieldParameter } from './download.operation';
import { downloadDataElement, fetchDataElements, isDeleted } from './elements';

const properties: INodeProperties[] = [
	instanceIdParameter,
	{
		displayName: 'Data Types',
		name: 'dataTypes',
		type: 'string',
		default: '',
		placeholder: 'ref-data-as-pdf, attachments',
		description: 'Only elements of these data types (separated by commas); empty downloads every element',
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		default: 'itemPerElement',
		options: [
			{
				name: 'One Item per Element',
				value: 'itemPerElement',
				description: "Each item holds one element's metadata and its file",
			},
			{
				name: 'One Item with Several Files',
				value: 'oneItem',
				description: 'One item for the instance, with one binary field per element',
			},
		],
	},
	{ ...outputFieldParameter, displayOptions: { show: { output: ['itemPerElement'] } } },
	{
		displayName: 'Binary Field Prefix',
		name: 'binaryPrefix',
		type: 'string',
		required: true,
		default: 'file_',
		displayOptions: { show: { output: ['oneItem'] } },
		hint: 'Files go in the fields file_0, file_1, … in the order of the instance\'s data elements',
	},
];

/** Only reads: the router runs several items at a time. */
export const readOnly = true;

export const description = updateDisplayOptions({ show: { resource: ['dataElement'], operation: ['downloadAll'] } }, properties);

/** Every data element of an instance (optionally only some data types) into binary fields, streamed. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = instanceTarget.call(this, itemIndex);
	const wanted = String(this.getNodeParameter('dataTypes', itemIndex, ''))
		.split(/[,\s]+/)
		.map((t) => t.trim())
		.filter(Boolean);
	const output = this.getNodeParameter('output', itemIndex, 'itemPerElement') as string;
	const elements = (await fetchDataElements.call(this, target, itemIndex)).filter(
		(e) => !isDeleted(e) && (wanted.length === 0 || wanted.includes(String(e.dataType))),
	);

	const files: IBinaryData[] = [];
	for (const element of elements) {
		const id = String(element.id);
		files.push(await downloadDataElement.call(this, target, id, element, itemIndex));
	}

	if (output === 'oneItem') {
		const prefix = this.getNodeParameter('binaryPrefix', itemIndex, 'file_') as string;
		const binary: Record<string, IBinaryData> = {};
		const dataElements: IDataObject[] = elements.map((element, i) => {
			binary[`${prefix}${i}`] = files[i];
			return { ...element, binaryField: `${prefix}${i}` };
		});
		return [{ json: { instanceId: target.id, dataElements }, binary }];
	}
	const field = this.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string;
	return elements.map((element, i) => ({ json: element, binary: { [field]: files[i] } }));
}
