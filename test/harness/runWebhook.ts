/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * One webhook trigger node, served the way n8n serves an active workflow's production webhook:
 *   - activation runs the node's webhookMethods through a real n8n-core HookContext like
 *     WebhookService.createWebhookIfNotExists (checkExists, then create when it says false), and
 *     deactivation runs `delete`; static data is saved after each (ActiveWorkflowManager);
 *   - each request loads a fresh Workflow from the *saved* static data (LiveWebhooks.executeWebhook),
 *     runs `webhook()` in a real WebhookContext, answers like responseMode "onReceived", records an
 *     execution when `workflowData` came back, and saves the static data afterwards.
 * The URL is `http://127.0.0.1:PORT/webhook/{webhookId}/{path}`; `:param` segments are dynamic.
 */
import { HookContext, WebhookContext } from 'n8n-core';
import type { IDataObject, INode, INodeExecutionData, INodeType, INodeTypes, IWebhookData, IWorkflowExecuteAdditionalData, WorkflowActivateMode } from 'n8n-workflow';
import { deepCopy, NodeHelpers, UnexpectedError, Workflow } from 'n8n-workflow';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { buildAdditionalData } from './additionalData';
import { TestCredentialsHelper } from './credentialsHelper';
import { toNodes, type NodeSpec } from './nodes';
import { TestNodeTypes } from './nodeTypes';
import { prepareN8nRuntime } from './runtime';

export interface WebhookTriggerOptions {
	node: NodeSpec;
	nodeType: INodeType | INodeTypes;
	credentials?: TestCredentialsHelper;
	/** Saved static data to start from (`{ 'node:<name>': {...} }`). */
	staticData?: IDataObject;
	workflowId?: string;
}

export interface WebhookExecution {
	items: INodeExecutionData[];
	/** `Date.now()` when n8n would have started the execution. */
	startedAt: number;
}

export interface WebhookReply {
	status: number;
	/** Whether the node answered itself (`noWebhookResponse`). */
	byNode: boolean;
}

/** A minimal express-like Response over node's ServerResponse: what nodes use from getResponseObject(). */
function expressLike(res: ServerResponse) {
	const r = res as ServerResponse & { status(code: number): typeof r; send(body?: unknown): typeof r; json(body: unknown): typeof r };
	r.status = (code: number) => {
		res.statusCode = code;
		return r;
	};
	r.send = (body?: unknown) => {
		res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : body === undefined ? undefined : JSON.stringify(body));
		return r;
	};
	r.json = (body: unknown) => {
		res.setHeader('Content-Type', 'application/json');
		res.end(JSON.stringify(body));
		return r;
	};
	return r;
}

export class WebhookTrigger {
	readonly credentials: TestCredentialsHelper;
	readonly nodeTypes: INodeTypes;
	readonly node: INode;
	readonly executions: WebhookExecution[] = [];
	readonly replies: WebhookReply[] = [];
	/** Called right after each execution is recorded. */
	onExecution?: (execution: WebhookExecution) => void;
	private persisted: IDataObject;
	private server?: Server;
	private baseUrl = '';

	constructor(private readonly options: WebhookTriggerOptions) {
		prepareN8nRuntime();
		this.credentials = options.credentials ?? new TestCredentialsHelper();
		this.nodeTypes = 'getByNameAndVersion' in options.nodeType ? options.nodeType : new TestNodeTypes([options.nodeType]);
		[this.node] = toNodes([options.node], this.nodeTypes, this.credentials);
		this.node.webhookId ??= 'b3c4d5e6-0000-4000-8000-000000000001';
		this.persisted = toPlain(options.staticData ?? {});
	}

	get workflowId(): string {
		return this.options.workflowId ?? 'test-workflow';
	}

	/** Static data as saved in the database. */
	get staticData(): IDataObject {
		return toPlain(this.persisted);
	}

	get nodeStaticData(): IDataObject {
		return (this.persisted[`node:${this.node.name}`] as IDataObject | undefined) ?? {};
	}

	/** Starts the HTTP server (n8n's webhook listener); call before activate. `port` 0 picks a free one. */
	async listen(port = 0): Promise<this> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async close(): Promise<void> {
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server!.close(() => resolve()));
	}

	/** Activation ('activate', or 'init' after an n8n restart): checkExists, then create if needed. */
	async activate(activation: WorkflowActivateMode = 'activate'): Promise<{ created: boolean }> {
		const { workflow, context } = this.hook(activation);
		const methods = this.nodeType().webhookMethods?.default;
		if (!methods?.checkExists || !methods.create) throw new UnexpectedError('The node has no webhookMethods.default');
		const exists = await methods.checkExists.call(context);
		if (!exists) await methods.create.call(context);
		this.save(workflow);
		return { created: !exists };
	}

	/** Deactivation: runs `delete`, then saves static data. */
	async deactivate(): Promise<void> {
		const { workflow, context } = this.hook('update');
		await this.nodeType().webhookMethods!.default!.delete!.call(context);
		this.save(workflow);
	}

	/** Waits until `count` executions have been recorded. */
	async waitForExecutions(count: number, timeoutMs = 10_000): Promise<void> {
		const until = Date.now() + timeoutMs;
		while (this.executions.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
	}

	private additionalData(executionId: string): IWorkflowExecuteAdditionalData {
		const data = buildAdditionalData({ credentialsHelper: this.credentials, executionId, workflowId: this.workflowId });
		data.webhookBaseUrl = `${this.baseUrl}/webhook`;
		data.webhookTestBaseUrl = `${this.baseUrl}/webhook-test`;
		return data;
	}

	private workflow(): Workflow {
		return new Workflow({
			id: this.workflowId,
			name: 'Test workflow',
			nodes: [this.node],
			connections: {},
			active: true,
			nodeTypes: this.nodeTypes,
			staticData: toPlain(this.persisted),
		});
	}

	private webhookData(workflow: Workflow, additionalData: IWorkflowExecuteAdditionalData): IWebhookData {
		const description = this.nodeType().description.webhooks![0];
		return {
			httpMethod: description.httpMethod as IWebhookData['httpMethod'],
			node: this.node.name,
			path: String(description.path),
			webhookDescription: description,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
		};
	}

	private hook(activation: WorkflowActivateMode) {
		const workflow = this.workflow();
		const additionalData = this.additionalData('activation');
		const context = new HookContext(workflow, this.node, additionalData, 'trigger', activation, this.webhookData(workflow, additionalData));
		return { workflow, context };
	}

	private async handle(req: IncomingMessage, raw: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const res = expressLike(raw);
		const params = this.matchPath(req.url ?? '/');
		if (!params || req.method !== 'POST') {
			res.status(404).json({ code: 404, message: 'The requested webhook is not registered.' });
			return;
		}
		let body: unknown = {};
		try {
			const text = Buffer.concat(chunks).toString('utf8');
			body = text ? JSON.parse(text) : {};
		} catch {
			res.status(400).json({ message: 'Invalid JSON' });
			return;
		}
		const workflow = this.workflow();
		const additionalData = this.additionalData(`webhook-${this.replies.length + 1}`);
		additionalData.httpRequest = { body, headers: req.headers, params, query: {}, method: req.method } as never;
		additionalData.httpResponse = res as never;
		const context = new WebhookContext(workflow, this.node, additionalData, 'webhook', this.webhookData(workflow, additionalData), [], null);
		try {
			const result = await this.nodeType().webhook!.call(context);
			this.save(workflow); // LiveWebhooks saves static data after the webhook ran
			if (result.noWebhookResponse) {
				this.replies.push({ status: raw.statusCode, byNode: true });
				if (!raw.writableEnded) raw.end();
				return;
			}
			if (result.workflowData) {
				const execution = { items: result.workflowData[0] ?? [], startedAt: Date.now() };
				this.executions.push(execution);
				this.onExecution?.(execution);
				this.replies.push({ status: 200, byNode: false });
				res.status(200).json({ message: 'Workflow was started' });
				return;
			}
			this.replies.push({ status: 200, byNode: false });
			res.status(200).send(result.webhookResponse ?? { message: 'Webhook call received' });
		} catch (error) {
			// WebhookHelpers.executeWebhook: a throwing webhook() answers 500 and starts nothing.
			this.replies.push({ status: 500, byNode: false });
			res.status(500).json({ code: 0, message: (error as Error).message });
		}
	}

	/**
	 * The request path against the webhook as n8n stores it (NodeHelpers.getNodeWebhookPath): a static
	 * path must be equal; a dynamic one (`:param` segments) is looked up by `{webhookId}/…` with the
	 * stored path's segment count (WebhookService.findDynamicWebhook), so a node whose stored path
	 * does not fit its URL is not found here either.
	 */
	private matchPath(url: string): Record<string, string> | undefined {
		const description = this.nodeType().description.webhooks![0];
		const stored = NodeHelpers.getNodeWebhookPath(this.workflowId, this.node, String(description.path), description.isFullPath === true);
		const prefix = '/webhook/';
		const path = url.split('?')[0];
		if (!path.startsWith(prefix)) return undefined;
		const request = path.slice(prefix.length).replace(/\/$/, '');
		if (!stored.includes(':')) return request === stored ? {} : undefined;
		const [webhookId, ...rest] = request.split('/');
		const template = stored.split('/');
		if (webhookId !== this.node.webhookId || rest.length !== template.length) return undefined;
		const params: Record<string, string> = {};
		for (let i = 0; i < template.length; i++) {
			const part = decodeURIComponent(rest[i]);
			if (template[i].startsWith(':')) params[template[i].slice(1)] = part;
			else if (template[i] !== part) return undefined;
		}
		return params;
	}

	private nodeType(): INodeType {
		return this.nodeTypes.getByNameAndVersion(this.node.type, this.node.typeVersion) as INodeType;
	}

	private save(workflow: Workflow): void {
		this.persisted = toPlain(workflow.staticData);
	}
}

/** JSON round trip without n8n's change marker, like a database save/load. */
function toPlain(data: IDataObject): IDataObject {
	const copy = JSON.parse(JSON.stringify(deepCopy(data))) as IDataObject;
	delete copy.__dataChanged;
	return copy;
}
