import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { authenticationPages, collectPages } from '../../transport';
import { limitOf, returnAllParameters } from '../../shared/descriptions';
import { authenticationApi, systemIdOf, systemIdParameter } from './common';

const properties: INodeProperties[] = [systemIdParameter, ...returnAllParameters()];

export const description = updateDisplayOptions({ show: { resource: ['systemUser'], operation: ['listSystemUsers'] } }, properties);

/**
 * `GET /authentication/api/v1/systemuser/vendor/bysystem/{systemId}` (SystemUserController.GetAllSystemUsersByVendorSystem,
 * Altinn/altinn-authentication ad4f6f3): pages of `{ links: { next }, data }`, followed until `next` is null.
 * Needs the scope altinn:authentication/systemregister.write. One item per system user.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const { systemId } = systemIdOf(this, itemIndex);
	const url = `${await authenticationApi.call(this)}/systemuser/vendor/bysystem/${encodeURIComponent(systemId)}`;
	const users = await collectPages(authenticationPages.call(this, { url, target: `system users of ${systemId}` }, itemIndex), limitOf(this, itemIndex));
	return users.map((json: IDataObject) => ({ json }));
}
