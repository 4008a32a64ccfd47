import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { altinnRequest } from '../../transport';
import { authenticationApi } from './common';
import { systemDefinitionOf, systemDefinitionProperties } from './systemDefinition';

export const description = systemDefinitionProperties('updateSystem');

/**
 * `PUT /authentication/api/v1/systemregister/vendor/{systemId}` (SystemRegisterController.UpdateWholeRegisteredSystem,
 * Altinn/altinn-authentication ad4f6f3): replaces the whole system. Then reads it back, so the output is what Altinn holds.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const { systemId, body } = systemDefinitionOf(this, itemIndex);
	const url = `${await authenticationApi.call(this)}/systemregister/vendor/${encodeURIComponent(systemId)}`;
	const target = `system ${systemId}`;
	await altinnRequest.call(this, { method: 'PUT', url, body, retry: 'safe', target, systemUser: null }, itemIndex);
	const system = await altinnRequest.call(this, { method: 'GET', url, retry: 'safe', target, systemUser: null }, itemIndex);
	return [{ json: system }];
}
