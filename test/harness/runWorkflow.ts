import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ExecutionError,
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeTypes,
	IRun,
	IRunExecutionData,
	ITaskData,
	IWorkflowBase,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { UnexpectedError, Workflow } from 'n8n-workflow';

import { buildAdditionalData } from './additionalData';
import type { BinaryDataMode } from './binaryData';
import { useBinaryDataMode } from './binaryData';
import { TestCredentialsHelper } from './credentialsHelper';
import { prepareN8nRuntime } from './runtime';
import type { NodeSpec } from './nodes';
import { toNodes } from './nodes';

export interface RunWorkflowOptions {
	/** The nodes. Without `connections` they are chained in order (main output 0 → next node). */
	nodes: NodeSpec[];
	connections?: IConnections;
	nodeTypes: INodeTypes;
	/** The credential store; one is created (empty) if omitted. */
	credentials?: TestCredentialsHelper;
	/**
	 * Items given to the start node through the execution stack (no Manual Trigger needed).
	 * Default `[{ json: {} }]`. Items may carry `binary` (inline base64 `data`, or an `id` from
	 * filesystem mode).
	 */
	inputItems?: INodeExecutionData[];
	/** The node that receives `inputItems`; default the first node. */
	startNode?: string;
	/** Workflow static data (`{ 'node:<name>': {...}, global: {...} }`); mutated in place by the run. */
	staticData?: IDataObject;
	/** Execution mode; default 'manual'. */
	mode?: WorkflowExecuteMode;
	/** Binary data storage for `prepareBinaryData`: 'inline' (default) or n8n's real 'filesystem'. */
	binaryMode?: BinaryDataMode;
	/** Workflow settings, e.g. `{ binaryMode: 'combined' }`, `{ timezone: 'Europe/Oslo' }`. */
	settings?: IWorkflowSettings;
	executionId?: string;
	workflowId?: string;
}

/** What a node showed in the UI for one run: message plus description, as n8n displays them. */
export interface NodeErrorView {
	message: string;
	description?: string | null;
	httpCode?: string | null;
	name: string;
	error: ExecutionError;
}

export interface WorkflowRunResult {
	run: IRun;
	workflow: Workflow;
	nodes: INode[];
	status: IRun['status'];
	/** Node names in the order they finished. */
	executionOrder: string[];
	/** Static data after the run (the object passed in, if any, mutated in place). */
	staticData: IDataObject;
	/** True when a node changed static data during the run (n8n would then save the workflow). */
	staticDataChanged: boolean;
	/** Task data of a node (default: the last node in `nodes`). */
	taskData(nodeName?: string, runIndex?: number): ITaskData | undefined;
	/** Items on one output of a node. Throws, showing the node's error, if the node has no output. */
	output(nodeName?: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	/** All outputs of a node. */
	outputs(nodeName?: string, runIndex?: number): INodeExecutionData[][];
	/** `json` of the items on output 0. */
	json(nodeName?: string, runIndex?: number): IDataObject[];
	/** The error a node failed with (or `resultData.error` if the node is unknown), else undefined. */
	error(nodeName?: string, runIndex?: number): NodeErrorView | undefined;
}

/**
 * Runs nodes through n8n-core's real `WorkflowExecute.processRunExecutionData`, with the start
 * node fed from the execution stack, as n8n's own NodeTestHarness does.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRunResult> {
	prepareN8nRuntime();
	if (options.binaryMode) await useBinaryDataMode(options.binaryMode);

	const credentialsHelper = options.credentials ?? new TestCredentialsHelper();
	const executionId = options.executionId ?? nextExecutionId();
	const workflowId = options.workflowId ?? 'test-workflow';
	const mode = options.mode ?? 'manual';
	const nodes = toNodes(options.nodes, options.nodeTypes, credentialsHelper);
	const connections = options.connections ?? chain(nodes);
	const staticData = options.staticData ?? {};

	const workflow = new Workflow({
		id: workflowId,
		name: 'Test workflow',
		nodes,
		connections,
		nodeTypes: options.nodeTypes,
		staticData,
		settings: options.settings,
		active: false,
	});

	const workflowData = {
		id: workflowId,
		name: 'Test workflow',
		nodes,
		connections,
		active: false,
		settings: options.settings ?? {},
		staticData,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as unknown as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const executionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		executionOrder.push(nodeName);
	});
	let resolveRun!: (run: IRun) => void;
	const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));

	const additionalData = buildAdditionalData({
		credentialsHelper,
		executionId,
		workflowId,
		hooks,
	});

	const startName = options.startNode ?? nodes[0]?.name;
	const startNode = nodes.find((n) => n.name === startName);
	if (!startNode) throw new UnexpectedError(`runWorkflow: no start node "${startName}"`);

	const runExecutionData = {
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: null,
			nodeExecutionStack: [
				{ node: startNode, data: { main: [options.inputItems ?? [{ json: {} }]] }, source: null },
			],
		},
	} as unknown as IRunExecutionData;

	await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(
		workflow,
	);
	const run = await finished;
	// Workflow wraps static data in an ObservableObject that writes through to our object and
	// marks changes in a non-enumerable `__dataChanged` (invisible to JSON and toEqual).
	const staticDataChanged = workflow.staticData.__dataChanged === true;
	return toResult(run, workflow, nodes, executionOrder, staticData, staticDataChanged);
}

let executionCounter = 0;
function nextExecutionId(): string {
	executionCounter += 1;
	return `test-execution-${executionCounter}`;
}

function chain(nodes: INode[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return connections;
}

function toResult(
	run: IRun,
	workflow: Workflow,
	nodes: INode[],
	executionOrder: string[],
	staticData: IDataObject,
	staticDataChanged: boolean,
): WorkflowRunResult {
	const lastNode = nodes[nodes.length - 1]?.name;
	const runData = () => run.data.resultData.runData;
	const taskData = (nodeName = lastNode, runIndex = 0) => runData()[nodeName]?.[runIndex];
	const error = (nodeName = lastNode, runIndex = 0): NodeErrorView | undefined => {
		const task = taskData(nodeName, runIndex);
		const found = task ? task.error : run.data.resultData.error;
		return found ? viewError(found) : undefined;
	};
	const outputs = (nodeName = lastNode, runIndex = 0): INodeExecutionData[][] => {
		const task = taskData(nodeName, runIndex);
		if (!task?.data?.main) {
			const problem = error(nodeName, runIndex) ?? error(undefined);
			const ran = Object.keys(runData()).join(', ') || 'none';
			throw new UnexpectedError(
				`Node "${nodeName}" has no output (run ${runIndex}). Nodes that ran: ${ran}.` +
					(problem ? ` Error: ${problem.message}${problem.description ? ` (${problem.description})` : ''}` : ''),
			);
		}
		return task.data.main.map((items) => items ?? []);
	};
	const output = (nodeName = lastNode, outputIndex = 0, runIndex = 0) =>
		outputs(nodeName, runIndex)[outputIndex] ?? [];
	return {
		run,
		workflow,
		nodes,
		status: run.status,
		executionOrder,
		staticData,
		staticDataChanged,
		taskData,
		outputs,
		output,
		json: (nodeName = lastNode, runIndex = 0) => output(nodeName, 0, runIndex).map((i) => i.json),
		error,
	};
}

export function viewError(error: ExecutionError): NodeErrorView {
	const withDetails = error as ExecutionError & { description?: string | null; httpCode?: string | null };
	return {
		message: error.message,
		description: withDetails.description,
		httpCode: withDetails.httpCode,
		name: error.name,
		error,
	};
}
