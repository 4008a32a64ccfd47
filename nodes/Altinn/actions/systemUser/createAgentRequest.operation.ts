import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createRequest, requestProperties } from './requestDefinition';

export const description = requestProperties('createAgentRequest', 'agent');

/**
 * `POST /authentication/api/v1/systemuser/request/vendor/agent` (RequestSystemUserController.CreateAgentRequest,
 * ad4f6f3): a client-delegation (agent) system user, with access packages meant for client relations only.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await createRequest.call(this, itemIndex, 'agent');
}
