import type { ExecutionLifecycleHooks } from 'n8n-core';
import type { ICredentialsHelper, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { UnexpectedError } from 'n8n-workflow';

const notInTests = (what: string) => () => {
	throw new UnexpectedError(`${what} is not available in the test harness`);
};

/**
 * A plain `IWorkflowExecuteAdditionalData` (not a deep mock: n8n-core checks optional members
 * such as `evalLlmMockHandler` for truthiness, and a deep mock would make them all truthy).
 */
export function buildAdditionalData(options: {
	credentialsHelper: ICredentialsHelper;
	executionId: string;
	workflowId: string;
	hooks?: ExecutionLifecycleHooks;
}): IWorkflowExecuteAdditionalData {
	const base = 'http://localhost:5678';
	return {
		credentialsHelper: options.credentialsHelper,
		hooks: options.hooks,
		executionId: options.executionId,
		workflowId: options.workflowId,
		userId: 'test-user',
		currentNodeParameters: undefined,
		currentNodeExecutionIndex: 0,
		evalLlmMockHandler: undefined,
		variables: {},
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		executeWorkflow: notInTests('executeWorkflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: notInTests('startRunnerTask'),
	} as unknown as IWorkflowExecuteAdditionalData;
}
