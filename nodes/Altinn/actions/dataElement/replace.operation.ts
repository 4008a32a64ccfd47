import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getApplicationMetadata } from '../../shared/applications';
import {
	appInstanceUrl,
	appParameters,
	instanceIdParameter,
	instanceTarget,
	storageInstanceUrl,
	validated,
} from '../../shared/descriptions';
import { altinnRequestFull } from '../../transport';
import { uploadBinary } from '../../transport/binary';
import { checkUpload, findDataType } from './dataTypes';
import { dataElementId, dataElementIdParameter, fetchDataElement } from './elements';
import { inputFile, inputFileParameters } from './inputFile';

const properties: INodeProperties[] = [...appParameters, instanceIdParameter, dataElementIdParameter, ...inputFileParameters];

export const description = updateDisplayOptions({ show: { resource: ['dataElement'], operation: ['replace'] } }, properties);

/**
 * App `PUT …/data/{id}`: new content for an existing element, checked against its data type
 * first (size, content type). Sent once; streams from n8n's binary store.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = instanceTarget.call(this, itemIndex);
	const appUrl = await appInstanceUrl.call(this, target, itemIndex);
	const id = dataElementId.call(this, itemIndex);
	const file = await inputFile.call(this, itemIndex, `${id}.json`);

	const element = await fetchDataElement.call(this, target, id, itemIndex);
	const metadata = await getApplicationMetadata.call(this, target.org as string, target.app as string, itemIndex);
	const dataType = validated(this, itemIndex, () =>
		findDataType(metadata.dataTypes ?? [], String(element.dataType ?? ''), `${target.org}/${target.app}`, `The data type of element ${id}`),
	);
	validated(this, itemIndex, () => checkUpload(dataType, file));

	const request = {
		method: 'PUT' as const,
		url: `${appUrl}/data/${id}`,
		target: `data element ${id} of ${target.label}`,
		ambiguous: `Download data element ${id} to see whether its content was replaced before running it again.`,
	};
	const response = file.json
		? await altinnRequestFull.call(
				this,
				{ ...request, body: file.json, headers: { 'Content-Type': 'application/json' }, retry: 'never', action: 'write' },
				itemIndex,
			)
		: await uploadBinary.call(this, { ...request, file, probeUrl: await storageInstanceUrl.call(this, target) }, itemIndex);
	return [{ json: (response.body as IDataObject | undefined) ?? { id } }];
}
