/**
 * A safe default for the node as an AI agent's tool. The node is `usableAsTool`, so n8n also
 * offers it as "Altinn Tool": n8n copies the description with `Tool` appended to its name
 * (n8n-io/n8n packages/cli/src/tool-generation/ai-tools.ts, `convertNodeToAiTool`) and runs
 * the same `execute` when the agent calls it (n8n-core `makeHandleToolInvocation`), so the node
 * knows it runs as a tool by its type: `n8n-nodes-altinn.altinnTool`.
 *
 * An agent fills parameters from the conversation, so it must not be able to make a change
 * that cannot be undone unless the workflow's author allowed it. The setting has no
 * expressions, so neither the agent nor item data can turn it on.
 */
import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { REQUEST_OPTIONS } from '../transport';

/** The setting's name in Request Options. */
export const ALLOW_DESTRUCTIVE_AS_TOOL = 'allowDestructiveAsTool';

/** Operations that cannot be undone, by resource: deletes, overwrites and process moves. */
export const DESTRUCTIVE_OPERATIONS: Record<string, Record<string, string>> = {
	instance: { delete: 'Instance > Delete' },
	dataElement: { delete: 'Data Element > Delete', replace: 'Data Element > Replace' },
	process: { next: 'Process > Next', completeProcess: 'Process > Complete Process' },
	systemUser: { updateSystem: 'System User > Update System' },
};

/** Pure: whether this node runs as an AI agent's tool (its type ends with `Tool`). */
export function runsAsTool(node: Pick<INode, 'type'>): boolean {
	return /Tool$/.test(node.type.split('.').pop() ?? '');
}

/** Refuses a destructive operation when the node runs as a tool, unless the setting allows it. */
export function assertToolMayRun(ctx: IExecuteFunctions, resource: string, operation: string): void {
	const label = DESTRUCTIVE_OPERATIONS[resource]?.[operation];
	if (!label || !runsAsTool(ctx.getNode())) return;
	if (ctx.getNodeParameter(`${REQUEST_OPTIONS}.${ALLOW_DESTRUCTIVE_AS_TOOL}`, 0, false) === true) return;
	throw new NodeOperationError(ctx.getNode(), `${label} is not allowed when the Altinn node is used as an AI agent's tool`, {
		description:
			"It changes Altinn in a way that cannot be undone. If the agent should be able to do this, turn on Request Options > Allow Destructive Operations as Tool in the node's settings.",
	});
}
