import { getAdditionalKeys } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsEncrypted,
	ICredentialsExpressionResolveValues,
	ICredentialType,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	INodeTypes,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	Workflow as WorkflowType,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	ICredentials,
	ICredentialsHelper,
	isExpression,
	NodeHelpers,
	UnexpectedError,
	UserError,
	Workflow,
	deepCopy,
	getCredentialOwnRequestAllowedDomains,
} from 'n8n-workflow';

/** One credential row of the in-memory store (what n8n keeps encrypted in `credentials_entity`). */
export interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

/** Call counters, so tests can assert how often the token was fetched and persisted. */
export interface CredentialsHelperCounters {
	/** `getDecrypted` calls (n8n decrypts on every `this.getCredentials`, no per-execution cache). */
	getDecrypted: number;
	/** `preAuthentication` calls made by n8n-core (whether or not the type's hook ran). */
	preAuthenticationCalls: number;
	/** Times the credential type's own `preAuthentication` hook actually ran. */
	preAuthenticationRuns: number;
	/** Of those, runs caused by `credentialsExpired === true` (after a 401 / retry status). */
	preAuthenticationExpiredRuns: number;
	/** `updateCredentials` calls (persisting a fetched token). */
	updates: number;
	/** `authenticate` calls. */
	authenticate: number;
}

/** `ICredentials` over a plain object (n8n's real `Credentials` needs an instance encryption key). */
class PlainCredentials extends ICredentials {
	private plain: ICredentialDataDecryptedObject;

	constructor(details: INodeCredentialsDetails, type: string, plain: ICredentialDataDecryptedObject) {
		super(details, type, undefined);
		this.plain = deepCopy(plain);
	}

	async getData(): Promise<ICredentialDataDecryptedObject> {
		return deepCopy(this.plain);
	}

	getDataToSave(): ICredentialsEncrypted {
		return { id: this.id, name: this.name, type: this.type, data: JSON.stringify(this.plain) };
	}

	async setData(data: ICredentialDataDecryptedObject): Promise<void> {
		this.plain = deepCopy(data);
	}

	async updateData(
		toUpdate: Partial<ICredentialDataDecryptedObject>,
		toDelete: string[] = [],
	): Promise<void> {
		const next = { ...this.plain, ...toUpdate } as ICredentialDataDecryptedObject;
		for (const key of toDelete) delete next[key];
		this.plain = next;
	}
}

/** Same placeholder node the CLI resolves credential expressions against. */
const mockNode: INode = {
	id: 'credential-mock-node',
	name: '',
	typeVersion: 1,
	type: 'mock',
	position: [0, 0],
	parameters: {},
};

const mockNodeTypes: INodeTypes = {
	getByName: () => mockNodeType,
	getByNameAndVersion: () => mockNodeType,
	getKnownTypes: () => ({}),
};
const mockNodeType = {
	description: {
		displayName: 'Mock',
		name: 'mock',
		group: [],
		version: 1,
		description: '',
		defaults: {},
		inputs: [],
		outputs: [],
		properties: [],
	},
} as unknown as ReturnType<INodeTypes['getByNameAndVersion']>;

/**
 * In-memory `ICredentialsHelper` that follows n8n CLI's `CredentialsHelper`
 * (packages/cli/src/credentials-helper.ts, n8n 2.41) rule for rule:
 * - `getDecrypted`: a copy of the stored data, with the type's defaults applied and fields hidden by
 *   `displayOptions` removed (`NodeHelpers.getNodeParameters(props, data, true, false)`), then
 *   expressions resolved; `raw` returns the stored data untouched.
 * - `preAuthentication`: only with a hidden `typeOptions.expirable` field; runs the hook when that
 *   field is '' or `credentialsExpired` (or for the credential-test noOp node); `this` is exactly
 *   `{ helpers: { httpRequest } }`; the output must contain the expirable key; it is merged into
 *   the *stored* data (never over a stored expression, except the expirable field) and persisted.
 * - `authenticate`: function form, or the generic form with `={{$credentials.x}}` expressions
 *   resolved through `workflow.expression.getSimpleParameterValue`.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	readonly types = new Map<string, ICredentialType>();

	/** The credential rows, by id. Tests may read or edit them (e.g. clear a cached token). */
	readonly store = new Map<string, StoredCredential>();

	readonly counters: CredentialsHelperCounters = zeroCounters();

	constructor(types: ICredentialType[] = [], credentials: StoredCredential[] = []) {
		super();
		for (const type of types) this.types.set(type.name, type);
		for (const credential of credentials) this.add(credential);
	}

	/** Adds or replaces a credential row. Returns its `{ id, name }` for `node.credentials`. */
	add(credential: StoredCredential): INodeCredentialsDetails {
		this.getType(credential.type);
		this.store.set(credential.id, { ...credential, data: deepCopy(credential.data) });
		return { id: credential.id, name: credential.name };
	}

	/** A copy of the stored (raw, "encrypted") data of a credential. */
	getStoredData(id: string): ICredentialDataDecryptedObject {
		return deepCopy(this.getRow(id).data);
	}

	/** Overwrites fields of the stored data, e.g. `{ accessToken: 'stale' }` or `{ accessToken: '' }`. */
	patchStoredData(id: string, patch: ICredentialDataDecryptedObject): void {
		const row = this.getRow(id);
		row.data = { ...row.data, ...deepCopy(patch) };
	}

	/** Empties the expirable field of every stored credential (drops the cached token). */
	clearExpirable(id?: string): void {
		for (const row of this.store.values()) {
			if (id !== undefined && row.id !== id) continue;
			const expirable = this.expirablePropertyOf(row.type);
			if (expirable) row.data[expirable] = '';
		}
	}

	resetCounters(): void {
		Object.assign(this.counters, zeroCounters());
	}

	getParentTypes(name: string): string[] {
		const type = this.types.get(name);
		if (!type?.extends) return [];
		return type.extends.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = this.types.get(credentialType);
		if (!type?.restrictToSupportedNodes) return true;
		const supported = type.supportedNodes ?? [];
		return supported.includes(nodeType) || supported.includes(nodeType.split('.').pop() ?? '');
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: WorkflowType,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		this.counters.authenticate++;
		const requestOptions = incomingRequestOptions;
		const { authenticate } = this.getType(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (typeof authenticate === 'object') {
			if (!workflow || !node) {
				throw new UnexpectedError(
					'Workflow and node are required for declarative credential authentication',
				);
			}
			requestOptions.headers ??= {};
			if (authenticate.type === 'generic') {
				const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
				for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
					for (const [key, value] of Object.entries(outerValue as Record<string, unknown>)) {
						const keyResolved = resolveValue(key, credentials, workflow, node);
						const valueResolved = resolveValue(value as string, credentials, workflow, node);
						target[outerKey] ??= {};
						target[outerKey][keyResolved] = valueResolved;
					}
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		this.counters.preAuthenticationCalls++;
		const credentialType = this.getType(typeName);
		const expirable = this.expirablePropertyOf(typeName);
		if (expirable === undefined) return undefined;

		const isTestingCredentials =
			node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';

		if (typeof credentialType.preAuthentication !== 'function') return undefined;
		if (!(credentials[expirable] === '' || credentialsExpired || isTestingCredentials)) {
			return undefined;
		}

		this.counters.preAuthenticationRuns++;
		if (credentialsExpired) this.counters.preAuthenticationExpiredRuns++;
		// `this` is exactly { helpers: { httpRequest } } (CLI `restrictToCredentialDomains`).
		const narrowed: IHttpRequestHelper = {
			helpers: {
				httpRequest: async (options: IHttpRequestOptions) => {
					const allowedDomains = getCredentialOwnRequestAllowedDomains(credentials);
					if (allowedDomains === undefined) return await helpers.helpers.httpRequest(options);
					if (options.allowedDomains !== undefined) {
						throw new UserError(
							'This credential restricts requests to specific domains, which cannot be combined with the domains its authentication step asks for.',
						);
					}
					return await helpers.helpers.httpRequest({ ...options, allowedDomains });
				},
			},
		};
		const output = await credentialType.preAuthentication.call(narrowed, credentials);
		if (output[expirable] === undefined) return undefined;

		if (node.credentials) {
			const nodeCredentials = node.credentials[credentialType.name];
			const storedData = await (await this.getCredentials(nodeCredentials, typeName)).getData();
			const dataToPersist: ICredentialDataDecryptedObject = { ...storedData };
			for (const [key, value] of Object.entries(output as ICredentialDataDecryptedObject)) {
				if (key === expirable || !isExpression(storedData[key])) dataToPersist[key] = value;
			}
			await this.updateCredentials(nodeCredentials, typeName, dataToPersist);
			return Object.assign(credentials, output);
		}
		return undefined;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.getType(typeName);
		if (typeof credentialType.preAuthentication !== 'function') return undefined;
		const output = await credentialType.preAuthentication.call(
			{ helpers: { httpRequest: helpers.helpers.httpRequest } },
			credentials,
		);
		return (output as ICredentialDataDecryptedObject) ?? undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const row = this.findRow(nodeCredentials, type);
		return new PlainCredentials({ id: row.id, name: row.name }, row.type, row.data);
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		this.counters.getDecrypted++;
		const original = deepCopy(this.findRow(nodeCredentials, type).data);
		if (raw === true) return original;

		const properties = this.getCredentialsProperties(type);
		let decrypted = NodeHelpers.getNodeParameters(
			properties,
			original as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (original.oauthTokenData !== undefined) decrypted.oauthTokenData = original.oauthTokenData;

		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });
		if (expressionResolveValues) {
			try {
				decrypted = expressionResolveValues.workflow.expression.getParameterValue(
					decrypted as INodeParameters,
					expressionResolveValues.runExecutionData,
					expressionResolveValues.runIndex,
					expressionResolveValues.itemIndex,
					expressionResolveValues.node.name,
					expressionResolveValues.connectionInputData,
					mode,
					additionalKeys,
					executeData,
					false,
					decrypted,
				) as ICredentialDataDecryptedObject;
			} catch (e) {
				(e as Error).message += ' [Error resolving credentials]';
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- as the CLI does
				throw e;
			}
		} else {
			const workflow = new Workflow({
				nodes: [mockNode],
				connections: {},
				active: false,
				nodeTypes: mockNodeTypes,
			});
			await workflow.expression.acquireIsolate();
			try {
				decrypted = workflow.expression.getComplexParameterValue(
					mockNode,
					decrypted as INodeParameters,
					mode,
					additionalKeys,
					undefined,
					undefined,
					decrypted,
				) as ICredentialDataDecryptedObject;
			} finally {
				await workflow.expression.releaseIsolate();
			}
		}
		return decrypted;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.counters.updates++;
		const row = this.findRow(nodeCredentials, type);
		row.data = deepCopy(data);
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.counters.updates++;
		const row = this.findRow(nodeCredentials, type);
		row.data = { ...row.data, oauthTokenData: deepCopy(data.oauthTokenData) };
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.getType(type);
		if (credentialType.extends === undefined) return credentialType.properties;
		const combined: INodeProperties[] = [];
		for (const parent of credentialType.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, credentialType.properties);
		return combined;
	}

	/** The name of the type's hidden `typeOptions.expirable` field, if any. */
	expirablePropertyOf(typeName: string): string | undefined {
		return this.getType(typeName).properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		)?.name;
	}

	private getType(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type) {
			throw new UnexpectedError(`TestCredentialsHelper: unknown credential type "${name}"`);
		}
		return type;
	}

	private getRow(id: string): StoredCredential {
		const row = this.store.get(id);
		if (!row) throw new UnexpectedError(`TestCredentialsHelper: no credential with id "${id}"`);
		return row;
	}

	/** The CLI looks a credential up by id AND type and fails with these messages. */
	private findRow(nodeCredentials: INodeCredentialsDetails, type: string): StoredCredential {
		if (!nodeCredentials.id) {
			throw new UserError(
				`Credential "${nodeCredentials.name}" of type "${type}" has no ID.`,
			);
		}
		const row = this.store.get(nodeCredentials.id);
		if (!row || row.type !== type) {
			throw new UserError(
				`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}".`,
			);
		}
		return row;
	}
}

function zeroCounters(): CredentialsHelperCounters {
	return {
		getDecrypted: 0,
		preAuthenticationCalls: 0,
		preAuthenticationRuns: 0,
		preAuthenticationExpiredRuns: 0,
		updates: 0,
		authenticate: 0,
	};
}

function resolveValue(
	value: string,
	credentials: ICredentialDataDecryptedObject,
	workflow: WorkflowType,
	node: INode,
): string {
	if (!isExpression(value)) return value;
	const resolved = workflow.expression.getSimpleParameterValue(
		node,
		value,
		'internal',
		{ $credentials: credentials },
		undefined,
		'',
	);
	return resolved ? resolved.toString() : '';
}
