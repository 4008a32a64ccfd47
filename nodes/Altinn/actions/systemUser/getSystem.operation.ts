import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { altinnRequest } from '../../transport';
import { authenticationApi, systemIdOf, systemIdParameter } from './common';

const properties: INodeProperties[] = [systemIdParameter];

export const description = updateDisplayOptions({ show: { resource: ['systemUser'], operation: ['getSystem'] } }, properties);

/** `GET /authentication/api/v1/systemregister/vendor/{systemId}` (SystemRegisterController.GetRegisteredSystemInfo, ad4f6f3). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const { systemId } = systemIdOf(this, itemIndex);
	const url = `${await authenticationApi.call(this)}/systemregister/vendor/${encodeURIComponent(systemId)}`;
	const system = await altinnRequest.call(this, { method: 'GET', url, retry: 'safe', target: `system ${systemId}`, systemUser: null }, itemIndex);
	return [{ json: system }];
}
