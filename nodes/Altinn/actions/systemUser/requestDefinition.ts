/**
 * The parameters and body shared by Create Request and Create Agent Request: `CreateRequestSystemUser` /
 * `CreateAgentRequestSystemUser` (Altinn/altinn-authentication ad4f6f3, Core/Models/SystemUsers):
 * `{ integrationTitle?, externalRef?, systemId, partyOrgNo, rights?, accessPackages, redirectUrl? }`.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { altinnRequestFull } from '../../transport';
import { validated } from '../../shared/descriptions';
import { InputError } from '../../shared/validation';
import { accessOf, accessParameters, authenticationApi, customerOf, customerOrgParameter, externalRefParameter, systemIdOf, systemIdParameter } from './common';

export function requestProperties(operation: string, kind: 'standard' | 'agent'): INodeProperties[] {
	const show = { resource: ['systemUser'], operation: [operation] };
	return [
		{ ...systemIdParameter, displayOptions: { show } },
		{ ...customerOrgParameter, displayOptions: { show } },
		{ ...externalRefParameter, displayOptions: { show } },
		...accessParameters(show, { rights: kind === 'standard' }),
		{
			displayName: 'Redirect URL',
			name: 'redirectUrl',
			type: 'string',
			default: '',
			displayOptions: { show },
			placeholder: 'https://example.com/altinn/done',
			description: "Where Altinn sends the customer after the decision. Must be one of the system's Allowed Redirect URLs. Empty: none.",
		},
		{
			displayName: 'Integration Title',
			name: 'integrationTitle',
			type: 'string',
			default: '',
			displayOptions: { show },
			description: "The system user's name in the customer's Altinn. Empty: the system's name.",
		},
	];
}

/**
 * Sends the request. Altinn answers 201 for a new request and 200 with the earlier request when one exists for
 * the same system, customer and external ref (whatever its status; RequestSystemUserController.CreateRequest),
 * so the output says which (`isNewRequest`) and a workflow can avoid sending the confirm link twice.
 */
export async function createRequest(this: IExecuteFunctions, itemIndex: number, kind: 'standard' | 'agent'): Promise<INodeExecutionData[]> {
	const { systemId } = systemIdOf(this, itemIndex);
	const { customerOrg, externalRef } = customerOf(this, itemIndex);
	const { rights, accessPackages } = accessOf(this, itemIndex, { rights: kind === 'standard' });
	const redirectUrl = validated(this, itemIndex, () => {
		const url = String(this.getNodeParameter('redirectUrl', itemIndex, '')).trim();
		if (url && !/^https:\/\/[^/\s]+/i.test(url)) throw new InputError('Redirect URL', `Redirect URL "${url}" is not an https URL`, "Give one of the system's Allowed Redirect URLs, or leave it empty.");
		if (kind === 'standard' && rights.length === 0 && accessPackages.length === 0) {
			throw new InputError('Rights', 'The request asks for no rights and no access packages', 'Add at least one right (a resource ID) or one access package.');
		}
		if (kind === 'agent' && accessPackages.length === 0) {
			throw new InputError('Access Packages', 'An agent request needs at least one access package', 'Add the access packages meant for client relations, e.g. urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet.');
		}
		return url;
	});
	const integrationTitle = String(this.getNodeParameter('integrationTitle', itemIndex, '')).trim();
	const body: IDataObject = {
		systemId,
		partyOrgNo: customerOrg,
		externalRef,
		...(kind === 'standard' ? { rights } : {}),
		accessPackages,
		...(redirectUrl ? { redirectUrl } : {}),
		...(integrationTitle ? { integrationTitle } : {}),
	};
	const api = await authenticationApi.call(this);
	const response = await altinnRequestFull.call(
		this,
		{
			method: 'POST',
			url: `${api}/systemuser/request/vendor${kind === 'agent' ? '/agent' : ''}`,
			body,
			// Safe to repeat: Altinn answers a repeated request with the earlier one.
			retry: 'safe',
			target: `system user request for ${customerOrg} (system ${systemId})`,
			systemUser: null,
		},
		itemIndex,
	);
	return [{ json: { ...(response.body as IDataObject), isNewRequest: response.statusCode === 201 } }];
}
