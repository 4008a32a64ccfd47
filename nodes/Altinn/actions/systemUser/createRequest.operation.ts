import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createRequest, requestProperties } from './requestDefinition';

export const description = requestProperties('createRequest', 'standard');

/** `POST /authentication/api/v1/systemuser/request/vendor` (RequestSystemUserController.CreateRequest, ad4f6f3). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await createRequest.call(this, itemIndex, 'standard');
}
