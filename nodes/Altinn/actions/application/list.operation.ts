import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { listApplications } from '../../shared/applications';
import { orgParameter, validated } from '../../shared/descriptions';
import { orgCode } from '../../shared/validation';

const properties: INodeProperties[] = [
	orgParameter,
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: true,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

export const description = updateDisplayOptions({ show: { resource: ['application'], operation: ['list'] } }, properties);

/** Storage `GET /applications/{org}`: one item per app. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const org = validated(this, itemIndex, () => orgCode(this.getNodeParameter('org', itemIndex)));
	const returnAll = this.getNodeParameter('returnAll', itemIndex, true) as boolean;
	const apps = await listApplications.call(this, org, itemIndex);
	const wanted = returnAll ? apps : apps.slice(0, this.getNodeParameter('limit', itemIndex, 50) as number);
	return wanted.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}
