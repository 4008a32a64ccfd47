import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { listApplications } from '../../shared/applications';
import { limitOf, orgParameter, returnAllParameters, validated } from '../../shared/descriptions';
import { orgCode } from '../../shared/validation';

const properties: INodeProperties[] = [
	orgParameter,
	...returnAllParameters(true),
];

/** Only reads: the router runs several items at a time. */
export const readOnly = true;

export const description = updateDisplayOptions({ show: { resource: ['application'], operation: ['list'] } }, properties);

/** Storage `GET /applications/{org}`: one item per app. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const org = validated(this, itemIndex, () => orgCode(this.getNodeParameter('org', itemIndex)));
	const limit = limitOf(this, itemIndex, true);
	const apps = await listApplications.call(this, org, itemIndex);
	const wanted = limit === undefined ? apps : apps.slice(0, limit);
	return wanted.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}
