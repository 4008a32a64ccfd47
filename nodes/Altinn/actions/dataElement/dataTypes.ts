/**
 * The app's data types (from its application metadata) and the checks an upload must pass
 * before anything is sent: the type exists, the file is not over its maximum size, and its
 * content type is one the type allows. The same rules the app applies
 * (`DataRestrictionValidation`), so that a mistake is named here rather than after a 1 GB upload.
 */
import type { INodeProperties } from 'n8n-workflow';

import { isFormData, type DataTypeJson } from '../../shared/applications';
import { InputError } from '../../shared/validation';
import { bareMimeType, exceedsMaxSize, formatBytes } from '../../transport/binary';

export const dataTypeParameter: INodeProperties = {
	displayName: 'Data Type Name or ID',
	name: 'dataType',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getDataTypes', loadOptionsDependsOn: ['org', 'app.value'] },
	required: true,
	default: '',
	description:
		'The data type of the new element, as declared in the app\'s metadata. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

/** The named data type, or an InputError naming the parameter and listing the app's types. */
export function findDataType(dataTypes: DataTypeJson[], id: string, appId: string, parameter = 'Data Type'): DataTypeJson {
	const found = dataTypes.find((t) => t.id === id);
	if (found) return found;
	const known = dataTypes.map((t) => t.id);
	throw new InputError(
		parameter,
		id ? `${parameter} "${id}" is not a data type of app ${appId}` : `${parameter} is empty`,
		known.length ? `The app's data types are: ${known.join(', ')}.` : `App ${appId} declares no data types.`,
	);
}

export interface UploadCandidate {
	fileName: string;
	mimeType: string;
	size: number;
	/** Where the file came from, for messages: `binary field "data"`. */
	source: string;
}

const FORM_DATA_TYPES = ['application/json', 'application/xml', 'text/xml'];

/** Refuses a file the data type would reject. Pure. */
export function checkUpload(dataType: DataTypeJson, file: UploadCandidate): void {
	const parameter = 'Data Type';
	if (file.size === 0) {
		throw new InputError(parameter, `The file in ${file.source} is empty`, 'Altinn does not accept an empty data element.');
	}
	if (exceedsMaxSize(file.size, dataType.maxSize)) {
		throw new InputError(
			parameter,
			`The file "${file.fileName}" (${formatBytes(file.size)}) is larger than data type "${dataType.id}" allows (${dataType.maxSize} MB)`,
			"The maximum size is set in the app's metadata (maxSize).",
		);
	}
	const mime = bareMimeType(file.mimeType) ?? 'application/octet-stream';
	if (isFormData(dataType)) {
		if (!FORM_DATA_TYPES.includes(mime)) {
			throw new InputError(
				parameter,
				`Data type "${dataType.id}" holds form data, but the file "${file.fileName}" is ${mime}`,
				'Form data is uploaded as JSON or XML: choose Form Data (JSON), or give a binary with content type application/json or application/xml.',
			);
		}
		return;
	}
	if (!/\.[^./\\]+$/.test(file.fileName)) {
		throw new InputError(
			parameter,
			`The file name "${file.fileName}" has no extension`,
			'Altinn needs an attachment file name with an extension, e.g. report.pdf. Set File Name in the options.',
		);
	}
	const allowed = (dataType.allowedContentTypes ?? []).map((t) => t.toLowerCase());
	if (allowed.length && !allowed.includes('application/octet-stream') && !allowed.includes(mime)) {
		throw new InputError(
			parameter,
			`Data type "${dataType.id}" does not allow ${mime} (the file "${file.fileName}")`,
			`Allowed content types: ${allowed.join(', ')}.`,
		);
	}
}
