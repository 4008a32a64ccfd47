import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { altinnRequest } from '../../transport';
import { authenticationApi } from './common';
import { systemDefinitionOf, systemDefinitionProperties } from './systemDefinition';

export const description = systemDefinitionProperties('registerSystem');

/**
 * `POST /authentication/api/v1/systemregister/vendor` (SystemRegisterController.CreateRegisteredSystem,
 * Altinn/altinn-authentication ad4f6f3): answers the new system's internal GUID; the output is the system as registered.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const { systemId, body } = systemDefinitionOf(this, itemIndex);
	const api = await authenticationApi.call(this);
	const internalId = await altinnRequest.call(
		this,
		{
			method: 'POST',
			url: `${api}/systemregister/vendor`,
			body,
			retry: 'never',
			target: `system ${systemId}`, systemUser: null,
			ambiguous: 'Use Get System to see whether it was registered before you run it again.',
		},
		itemIndex,
	);
	return [{ json: { ...body, internalId } }];
}
