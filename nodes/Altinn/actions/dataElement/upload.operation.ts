import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	appInstanceUrl,
	appParameters,
	instanceIdParameter,
	instanceTarget,
	storageInstanceUrl,
	validated,
} from '../../shared/descriptions';
import { servesDataTypeRoute } from '../../shared/appLib';
import { getApplicationMetadata } from '../../shared/applications';
import { InputError } from '../../shared/validation';
import { altinnRequestFull } from '../../transport';
import { uploadBinary } from '../../transport/binary';
import { checkUpload, dataTypeParameter, findDataType } from './dataTypes';
import { inputFile, inputFileParameters } from './inputFile';

const properties: INodeProperties[] = [
	...appParameters,
	instanceIdParameter,
	dataTypeParameter,
	...inputFileParameters,
];

export const description = updateDisplayOptions({ show: { resource: ['dataElement'], operation: ['upload'] } }, properties);

/** The new element from the app's answer: `DataPostResponse` (current apps) or a bare DataElement (older apps). */
function newElementFrom(body: IDataObject | undefined): IDataObject {
	if (!body) return {};
	if (typeof body.newDataElementId === 'string') {
		const instance = body.instance as IDataObject | undefined;
		const data = Array.isArray(instance?.data) ? (instance.data as IDataObject[]) : [];
		const element = data.find((e) => e.id === body.newDataElementId) ?? { id: body.newDataElementId };
		return { ...element, validationIssues: body.validationIssues ?? [] };
	}
	return body;
}

/**
 * App `POST …/data/{dataType}` (app-lib 8.5 and later) or `POST …/data?dataType=` (older apps,
 * which have only that form): a binary field (or form data as JSON) becomes a new data
 * element, through the app so that its validation and data processing run. The data type,
 * size and content type are checked against the app's metadata before anything is sent; the
 * metadata also names the app-lib version, so the one request goes to a route the app serves.
 * The upload itself is sent once and streams from n8n's binary store.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = instanceTarget.call(this, itemIndex);
	const appUrl = await appInstanceUrl.call(this, target, itemIndex);
	const dataTypeId = String(this.getNodeParameter('dataType', itemIndex, '')).trim();
	if (!dataTypeId) validated(this, itemIndex, () => { throw new InputError('Data Type', 'Data Type is empty', 'Give the data type of the new element, e.g. attachments.'); });
	const file = await inputFile.call(this, itemIndex, `${dataTypeId}.json`);

	const metadata = await getApplicationMetadata.call(this, target.org as string, target.app as string, itemIndex);
	const dataType = validated(this, itemIndex, () => findDataType(metadata.dataTypes ?? [], dataTypeId, `${target.org}/${target.app}`));
	validated(this, itemIndex, () => checkUpload(dataType, file));

	const byRoute = servesDataTypeRoute(metadata);
	const request = {
		method: 'POST' as const,
		url: byRoute ? `${appUrl}/data/${encodeURIComponent(dataType.id)}` : `${appUrl}/data`,
		qs: byRoute ? undefined : { dataType: dataType.id },
		target: `${target.label} (new ${dataType.id} element)`,
		ambiguous: `List the data elements of ${target.label} to see whether "${file.fileName}" was added before running it again.`,
	};
	const response = file.json
		? await altinnRequestFull.call(
				this,
				{ ...request, body: file.json, headers: { 'Content-Type': 'application/json' }, retry: 'never', action: 'write' },
				itemIndex,
			)
		: await uploadBinary.call(this, { ...request, file, probeUrl: await storageInstanceUrl.call(this, target) }, itemIndex);
	return [{ json: newElementFrom(response.body as IDataObject) }];
}
