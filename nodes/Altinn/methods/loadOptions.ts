import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { dataTypeOptions, getApplicationMetadata } from '../shared/applications';

/**
 * The data types of the selected app (from its application metadata), for a `dataType`
 * option with `typeOptions: { loadOptionsMethod: 'getDataTypes', loadOptionsDependsOn: ['org', 'app.value'] }`.
 */
export async function getDataTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const org = String(this.getCurrentNodeParameter('org') ?? '').trim().toLowerCase();
	const app = String(this.getCurrentNodeParameter('app', { extractValue: true }) ?? '').trim();
	if (!org || !app) return [];
	return dataTypeOptions(await getApplicationMetadata.call(this, org, app));
}
