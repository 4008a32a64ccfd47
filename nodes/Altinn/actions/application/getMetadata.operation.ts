import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getApplicationMetadata } from '../../shared/applications';
import { appParameters, appTarget } from '../../shared/descriptions';

const properties: INodeProperties[] = [...appParameters];

/** Only reads: the router runs several items at a time. */
export const readOnly = true;

export const description = updateDisplayOptions({ show: { resource: ['application'], operation: ['getMetadata'] } }, properties);

/** App API `GET /api/v1/applicationmetadata`. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = appTarget.call(this, itemIndex);
	const metadata = await getApplicationMetadata.call(this, target.org, target.app, itemIndex);
	return [{ json: metadata, pairedItem: { item: itemIndex } }];
}
