/** The file an upload or replace sends: a binary field of the input item, or form data as JSON. */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeBinaryField, type BinaryUploadFile } from '../../transport/binary';

export const inputFileParameters: INodeProperties[] = [
	{
		displayName: 'Input',
		name: 'inputSource',
		type: 'options',
		default: 'binary',
		options: [
			{ name: 'Binary Field', value: 'binary', description: 'A file of the input item (an attachment, or form data as JSON or XML)' },
			{ name: 'Form Data (JSON)', value: 'json', description: "The data model's content as JSON" },
		],
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		displayOptions: { show: { inputSource: ['binary'] } },
		hint: 'The name of the input binary field containing the file to be uploaded',
	},
	{
		displayName: 'Form Data',
		name: 'formData',
		type: 'json',
		required: true,
		default: '{}',
		displayOptions: { show: { inputSource: ['json'] } },
		description: "The form data as JSON, shaped like the app's data model",
	},
	{
		displayName: 'Options',
		name: 'fileOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { inputSource: ['binary'] } },
		options: [
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				placeholder: 'report.pdf',
				description: "The element's file name, with extension; default the binary's own file name",
			},
			{
				displayName: 'Content Type',
				name: 'mimeType',
				type: 'string',
				default: '',
				placeholder: 'application/pdf',
				description: "The element's content type; default the binary's own MIME type",
			},
		],
	},
];

export interface InputFile extends BinaryUploadFile {
	/** Where it came from, for messages: `binary field "data"` or `Form Data`. */
	source: string;
	/** Form data as JSON text (sent as application/json); absent for a binary field. */
	json?: string;
}

/** Describes the item's input file without reading a stored binary; names a missing binary field. */
export async function inputFile(this: IExecuteFunctions, itemIndex: number, jsonFileName: string): Promise<InputFile> {
	const source = this.getNodeParameter('inputSource', itemIndex, 'binary') as string;
	if (source === 'json') {
		const raw = this.getNodeParameter('formData', itemIndex, '{}') as unknown;
		let text: string;
		if (typeof raw === 'string') {
			try {
				text = JSON.stringify(JSON.parse(raw));
			} catch {
				throw new NodeOperationError(this.getNode(), 'Form Data is not valid JSON', {
					itemIndex,
					description: 'Give the form data as a JSON object shaped like the app\'s data model, e.g. {"name": "Ola"}.',
				});
			}
		} else text = JSON.stringify(raw ?? {});
		const bytes = Buffer.from(text);
		return {
			field: 'formData',
			source: 'Form Data',
			fileName: jsonFileName,
			mimeType: 'application/json',
			size: bytes.length,
			streamed: false,
			open: async () => bytes,
			json: text,
		};
	}
	const field = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
	const options = this.getNodeParameter('fileOptions', itemIndex, {}) as { fileName?: string; mimeType?: string };
	const file = await describeBinaryField.call(this, itemIndex, field);
	return {
		...file,
		source: `binary field "${field}"`,
		fileName: options.fileName?.trim() || file.fileName,
		mimeType: options.mimeType?.trim() || file.mimeType,
	};
}
