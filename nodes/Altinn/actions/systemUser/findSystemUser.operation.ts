import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { altinnRequestFull } from '../../transport';
import { authenticationApi, customerOf, customerOrgParameter, externalRefParameter, systemIdOf, systemIdParameter } from './common';

const properties: INodeProperties[] = [systemIdParameter, customerOrgParameter, externalRefParameter];

export const description = updateDisplayOptions({ show: { resource: ['systemUser'], operation: ['findSystemUser'] } }, properties);

/**
 * `GET /authentication/api/v1/systemuser/vendor/byquery?system-id=&orgno=&external-ref=`
 * (SystemUserController.GetSingleSystemUserForVendor, Altinn/altinn-authentication ad4f6f3). Altinn answers 404 with
 * no body when the customer has no such system user; that is an answer, not an error: the output says `found: false`.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const { systemId } = systemIdOf(this, itemIndex);
	const { customerOrg, externalRef } = customerOf(this, itemIndex);
	const response = await altinnRequestFull.call(
		this,
		{
			method: 'GET',
			url: `${await authenticationApi.call(this)}/systemuser/vendor/byquery`,
			qs: { 'system-id': systemId, orgno: customerOrg, 'external-ref': externalRef },
			retry: 'safe',
			target: `system user of ${customerOrg} (system ${systemId})`,
			systemUser: null,
			acceptStatus: [404],
		},
		itemIndex,
	);
	if (response.statusCode === 404) return [{ json: { found: false, systemId, reporteeOrgNo: customerOrg, externalRef } }];
	return [{ json: { found: true, ...(response.body as object) } }];
}
