/** Reading an instance's data elements from Storage, shared by the data element operations. */
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { InstanceTarget } from '../../shared/descriptions';
import { storageInstanceUrl } from '../../shared/descriptions';
import { isGuid } from '../../shared/validation';
import { altinnRequest } from '../../transport';
import { downloadToBinary } from '../../transport/binary';

export const dataElementIdParameter: INodeProperties = {
	displayName: 'Data Element ID',
	name: 'dataElementId',
	type: 'string',
	required: true,
	default: '',
	placeholder: '9f3c2b1a-7e6d-4c5b-8a49-1f2e3d4c5b6a',
	description: 'The ID of the data element (see List)',
};

/** The Data Element ID parameter, checked (a GUID). */
export function dataElementId(this: IExecuteFunctions, itemIndex: number): string {
	const id = String(this.getNodeParameter('dataElementId', itemIndex, '')).trim();
	if (!isGuid(id)) {
		throw new NodeOperationError(this.getNode(), id ? `Data Element ID "${id}" is not a data element ID` : 'Data Element ID is empty', {
			itemIndex,
			description: 'A data element ID is a GUID, e.g. 9f3c2b1a-7e6d-4c5b-8a49-1f2e3d4c5b6a (the id of an element in the instance\'s data).',
		});
	}
	return id.toLowerCase();
}

/** Storage `GET …/dataelements`: the instance's data elements. */
export async function fetchDataElements(this: IExecuteFunctions, target: InstanceTarget, itemIndex: number): Promise<IDataObject[]> {
	const url = `${await storageInstanceUrl.call(this, target)}/dataelements`;
	const list = (await altinnRequest.call(
		this,
		{ method: 'GET', url, retry: 'safe', target: `the data elements of ${target.label}`, action: 'read' },
		itemIndex,
	)) as { dataElements?: IDataObject[] } | undefined;
	return Array.isArray(list?.dataElements) ? list.dataElements : [];
}

/** One element of the instance, or an error naming it and the instance. */
export async function fetchDataElement(
	this: IExecuteFunctions,
	target: InstanceTarget,
	elementId: string,
	itemIndex: number,
): Promise<IDataObject> {
	const elements = await fetchDataElements.call(this, target, itemIndex);
	const element = elements.find((e) => String(e.id).toLowerCase() === elementId);
	if (!element) {
		throw new NodeOperationError(this.getNode(), `Data element ${elementId} is not in ${target.label}`, {
			itemIndex,
			description: elements.length
				? `The instance's data elements are: ${elements.map((e) => `${e.id} (${e.dataType})`).join(', ')}.`
				: 'The instance has no data elements.',
		});
	}
	return element;
}

/** Storage URL of one element's bytes. */
async function elementDataUrl(this: IExecuteFunctions, target: InstanceTarget, elementId: string): Promise<string> {
	return `${await storageInstanceUrl.call(this, target)}/data/${elementId}`;
}

/**
 * One element's bytes (Storage `GET …/data/{id}`, the stored file as is) into n8n's binary
 * store, keeping its file name and content type.
 */
export async function downloadDataElement(
	this: IExecuteFunctions,
	target: InstanceTarget,
	elementId: string,
	element: IDataObject,
	itemIndex: number,
): Promise<IBinaryData> {
	return await downloadToBinary.call(
		this,
		{
			url: await elementDataUrl.call(this, target, elementId),
			target: `data element ${elementId} of ${target.label}`,
			fileName: element.filename as string | undefined,
			mimeType: element.contentType as string | undefined,
			fallbackFileName: `${String(element.dataType ?? 'data')}-${elementId}`,
		},
		itemIndex,
	);
}

/** Whether Storage still lists an element that has been hard-deleted (service owners see those). */
export function isDeleted(element: IDataObject): boolean {
	return !!(element.deleteStatus as IDataObject | undefined)?.isHardDeleted;
}
