import { PollContext, runPollInStagingScope, commitStagedCursor } from 'n8n-core';
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IPollFunctions,
	IVersionedNodeType,
	WorkflowActivateMode,
} from 'n8n-workflow';
import { deepCopy, UnexpectedError, Workflow } from 'n8n-workflow';

import { buildAdditionalData } from './additionalData';
import { TestCredentialsHelper } from './credentialsHelper';
import { prepareN8nRuntime } from './runtime';
import type { NodeSpec } from './nodes';
import { toNodes } from './nodes';
import { TestNodeTypes } from './nodeTypes';

export interface PollerOptions {
	/** The trigger node (type, parameters, credentials). */
	node: NodeSpec;
	/** The trigger's class instance, or a TestNodeTypes that knows `node.type`. */
	nodeType: INodeType | IVersionedNodeType | INodeTypes;
	credentials?: TestCredentialsHelper;
	/**
	 * Persisted workflow static data to start from, as n8n loads it from the database
	 * (`{ 'node:<name>': {...} }`). Deep-copied; pass JSON to simulate a restart.
	 */
	staticData?: IDataObject;
	/**
	 * 'trigger': an active workflow's scheduled poll (PollTriggerExecutor semantics);
	 * 'manual': the editor's "Fetch Test Event" (WorkflowExecute.executePollNode: a plain PollContext,
	 * nothing persisted).
	 */
	mode?: 'trigger' | 'manual';
	/** Trigger mode: `getActivationMode()`; default 'activate'. */
	activation?: WorkflowActivateMode;
	/**
	 * Trigger mode: model n8n 2.41's durable poll cursor ("migrated" node): each poll works on a
	 * snapshot of the node's static data, committed only when the poll emits (with its execution) or
	 * returns null (cursor-only commit); an error discards it. Default false: the node reads and
	 * writes the live static-data bucket, saved to the database only when a poll emits.
	 */
	durableCursor?: boolean;
	/** `this.getPollBudgetMs()`; default PollContext's own (5 minutes). */
	pollBudgetMs?: number;
	workflowId?: string;
	/** Workflow Settings > Timezone, e.g. `Asia/Tokyo`; default n8n's default time zone. */
	timezone?: string;
}

export interface PollResult {
	/** What the poll returned (`null`: nothing new, no execution). */
	items: INodeExecutionData[][] | null;
	/** Items of output 0, or [] when the poll returned null. */
	json: IDataObject[];
	/** True when n8n would have started an execution (`__emit`). */
	emitted: boolean;
	/** The error the poll threw (trigger mode: n8n records a failed execution; manual: shown in the editor). */
	error?: Error;
	/** Static data as persisted in the database after this poll (JSON copy; feed it to a new poller to restart). */
	staticData: IDataObject;
	/** Static data of the running (in-memory) workflow after this poll. */
	liveStaticData: IDataObject;
	/** This node's bucket of the persisted static data. */
	nodeStaticData: IDataObject;
}

/**
 * One activated poll trigger: a real n8n Workflow (kept between polls, like n8n's ActiveWorkflows)
 * and, per poll, a real n8n-core PollContext, run the way PollTriggerExecutor runs it.
 */
export class Poller {
	readonly credentials: TestCredentialsHelper;
	readonly nodeTypes: INodeTypes;
	readonly node: INode;
	private workflow!: Workflow;
	private persisted: IDataObject;
	private executionCounter = 0;

	constructor(private readonly options: PollerOptions) {
		prepareN8nRuntime();
		this.credentials = options.credentials ?? new TestCredentialsHelper();
		this.nodeTypes = toNodeTypes(options.nodeType);
		[this.node] = toNodes([options.node], this.nodeTypes, this.credentials);
		this.persisted = toPlain(options.staticData ?? {});
		this.restart();
	}

	/** The running workflow (its `staticData` is what the node sees). */
	get liveWorkflow(): Workflow {
		return this.workflow;
	}

	/** Static data as saved in the database. */
	get persistedStaticData(): IDataObject {
		return toPlain(this.persisted);
	}

	/** Simulates an n8n restart / reactivation: a fresh Workflow from the persisted static data. */
	restart(staticData?: IDataObject): this {
		if (staticData) this.persisted = toPlain(staticData);
		this.workflow = new Workflow({
			id: this.options.workflowId ?? 'test-workflow',
			name: 'Test workflow',
			nodes: [this.node],
			connections: {},
			active: this.options.mode !== 'manual',
			nodeTypes: this.nodeTypes,
			staticData: toPlain(this.persisted),
			...(this.options.timezone ? { settings: { timezone: this.options.timezone } } : {}),
		});
		return this;
	}

	/**
	 * Runs one poll. `testingTrigger`: the poll n8n runs once when a workflow is activated
	 * (ActiveWorkflows.activatePollTrigger → executePollTrigger(true)): it emits like a scheduled
	 * poll, but a null result commits no durable cursor and an error fails the activation.
	 */
	async poll(options: { testingTrigger?: boolean } = {}): Promise<PollResult> {
		this.executionCounter += 1;
		const additionalData = buildAdditionalData({
			credentialsHelper: this.credentials,
			executionId: `test-poll-${this.executionCounter}`,
			workflowId: this.workflow.id,
		});
		return this.options.mode === 'manual'
			? await this.pollManually(additionalData)
			: await this.pollActive(additionalData, options.testingTrigger === true);
	}

	private async pollManually(additionalData: ReturnType<typeof buildAdditionalData>) {
		const context = new PollContext(this.workflow, this.node, additionalData, 'manual', 'manual');
		try {
			const items = await this.nodeType().poll!.call(context);
			return this.result(items, items !== null);
		} catch (error) {
			return this.result(null, false, error as Error);
		}
	}

	private async pollActive(
		additionalData: ReturnType<typeof buildAdditionalData>,
		testingTrigger: boolean,
	) {
		const { workflow, node } = this;
		const durable = this.options.durableCursor === true;
		let staged: { snapshot: IDataObject; seed: IDataObject } | undefined;
		let emitted: INodeExecutionData[][] | null = null;

		const takeStagedCursor = (): IDataObject | null => {
			if (!staged || JSON.stringify(staged.snapshot) === JSON.stringify(staged.seed)) return null;
			const cursor = toPlain(staged.snapshot);
			staged.seed = cursor;
			return cursor;
		};
		const __emit: IPollFunctions['__emit'] = (data) => {
			emitted = data;
			const cursor = takeStagedCursor();
			// WorkflowStaticDataService.saveStaticData: only when something changed.
			if (workflow.staticData.__dataChanged === true) this.save();
			if (cursor) this.commitNodeCursor(cursor);
		};
		const __emitError: IPollFunctions['__emitError'] = () => {};
		const __commitCursor = async () => {
			const cursor = takeStagedCursor();
			if (cursor) this.commitNodeCursor(cursor);
		};
		const __runPoll = async <T>(poll: () => Promise<T>): Promise<T> => {
			if (durable) {
				const seed = toPlain(workflow.getStaticData('node', node));
				staged = { snapshot: toPlain(seed), seed };
			}
			return await poll();
		};
		const resolveNodeStaticData = () =>
			staged ? staged.snapshot : workflow.getStaticData('node', node);

		const context = new PollContext(
			workflow,
			node,
			additionalData,
			'trigger',
			this.options.activation ?? 'activate',
			__emit,
			__emitError,
			__commitCursor,
			__runPoll,
			resolveNodeStaticData,
			this.options.pollBudgetMs === undefined ? undefined : () => this.options.pollBudgetMs!,
		);

		// PollTriggerExecutor.create(...)(testingTrigger)
		try {
			await runPollInStagingScope(context, async () => {
				const response = await this.nodeType().poll!.call(context);
				if (response !== null) context.__emit(response);
				else if (!testingTrigger) await commitStagedCursor(context);
			});
		} catch (error) {
			if (!testingTrigger) context.__emitError(error as never);
			return this.result(null, false, error as Error);
		}
		return this.result(emitted, emitted !== null);
	}

	private nodeType(): INodeType {
		const nodeType = this.nodeTypes.getByNameAndVersion(this.node.type, this.node.typeVersion);
		if (!nodeType.poll) throw new UnexpectedError(`Node type "${this.node.type}" has no poll()`);
		return nodeType;
	}

	/** Saves the live workflow's static data (n8n clears `__dataChanged` when it saves). */
	private save(): void {
		this.persisted = toPlain(this.workflow.staticData);
		this.workflow.staticData.__dataChanged = false;
	}

	/** A durable cursor commit: the node's bucket in the database and in the live workflow. */
	private commitNodeCursor(cursor: IDataObject): void {
		const key = `node:${this.node.name}`;
		this.persisted = { ...this.persisted, [key]: cursor };
		const live = this.workflow.getStaticData('node', this.node);
		for (const k of Object.keys(live)) delete live[k];
		Object.assign(live, toPlain(cursor));
	}

	private result(items: INodeExecutionData[][] | null, emitted: boolean, error?: Error): PollResult {
		const staticData = this.persistedStaticData;
		return {
			items,
			json: items?.[0]?.map((item) => item.json) ?? [],
			emitted,
			error,
			staticData,
			liveStaticData: toPlain(this.workflow.staticData),
			nodeStaticData: (staticData[`node:${this.node.name}`] as IDataObject | undefined) ?? {},
		};
	}
}

/** One poll on a fresh workflow built from `staticData` (i.e. right after a restart). */
export async function runPoll(options: PollerOptions): Promise<PollResult> {
	return await new Poller(options).poll();
}

function toNodeTypes(input: PollerOptions['nodeType']): INodeTypes {
	if ('getByNameAndVersion' in input) return input;
	return new TestNodeTypes([input]);
}

/** JSON round trip without n8n's change marker, like a database save/load. */
function toPlain(data: IDataObject): IDataObject {
	const copy = JSON.parse(JSON.stringify(deepCopy(data))) as IDataObject;
	delete copy.__dataChanged;
	return copy;
}
