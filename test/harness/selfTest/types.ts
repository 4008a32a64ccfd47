/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error */
import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { Readable } from 'node:stream';

const tokenProperties: INodeProperties[] = [
	{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
	{ displayName: 'Client ID', name: 'clientId', type: 'string', default: 'client-default' },
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		options: [
			{ name: 'A', value: 'a' },
			{ name: 'B', value: 'b' },
		],
		default: 'a',
	},
	{
		displayName: 'Only For B',
		name: 'onlyForB',
		type: 'string',
		default: 'b-default',
		displayOptions: { show: { mode: ['b'] } },
	},
	{
		displayName: 'Access Token',
		name: 'accessToken',
		type: 'hidden',
		typeOptions: { expirable: true },
		default: '',
	},
];

async function fetchToken(
	this: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<IDataObject> {
	const response = (await this.helpers.httpRequest({
		method: 'POST',
		url: `${credentials.baseUrl as string}/token`,
		json: true,
	})) as { access_token: string };
	return { accessToken: response.access_token };
}

/** Generic-form authenticate: `=Bearer {{$credentials.accessToken}}`. */
export class HarnessTokenApi implements ICredentialType {
	name = 'harnessTokenApi';
	displayName = 'Harness Token API';
	properties = tokenProperties;
	preAuthentication = fetchToken;
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
	};
}

/** Function-form authenticate. */
export class HarnessFnTokenApi implements ICredentialType {
	name = 'harnessFnTokenApi';
	displayName = 'Harness Token API (function)';
	properties = tokenProperties;
	preAuthentication = fetchToken;
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${credentials.accessToken as string}` },
		};
	}
}

/**
 * operation 'get': GET {baseUrl}/data/{id} per item through httpRequestWithAuthentication;
 * 'makeBinary': a `size`-byte stream through prepareBinaryData; 'readBinary': reads `data` back.
 */
export class HarnessNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness',
		name: 'harness',
		group: ['transform'],
		version: [1, 2],
		defaultVersion: 2,
		description: 'Harness self-test node',
		defaults: { name: 'Harness' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [
			{ name: 'harnessTokenApi', required: false },
			{ name: 'harnessFnTokenApi', required: false },
		],
		properties: [
			{ displayName: 'Operation', name: 'operation', type: 'string', default: 'get' },
			{ displayName: 'Credential Type', name: 'credentialType', type: 'string', default: 'harnessTokenApi' },
			{ displayName: 'ID', name: 'id', type: 'string', default: '' },
			{ displayName: 'Size', name: 'size', type: 'number', default: 0 },
			{ displayName: 'Stream', name: 'stream', type: 'boolean', default: false },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const operation = this.getNodeParameter('operation', i) as string;
				if (operation === 'get') {
					const type = this.getNodeParameter('credentialType', i) as string;
					const credentials = await this.getCredentials(type);
					const id = this.getNodeParameter('id', i) as string;
					const body = (await this.helpers.httpRequestWithAuthentication.call(this, type, {
						method: 'GET',
						url: `${credentials.baseUrl as string}/data/${id}`,
						json: true,
					})) as IDataObject;
					out.push({ json: body, pairedItem: { item: i } });
				} else if (operation === 'upload') {
					// POST a body that is a Buffer (re-sendable) or a Readable (single use).
					const type = this.getNodeParameter('credentialType', i) as string;
					const credentials = await this.getCredentials(type);
					const size = this.getNodeParameter('size', i) as number;
					const asStream = this.getNodeParameter('stream', i) as boolean;
					const body = (await this.helpers.httpRequestWithAuthentication.call(this, type, {
						method: 'POST',
						url: `${credentials.baseUrl as string}/data/${this.getNodeParameter('id', i) as string}`,
						body: asStream ? patternStream(size) : Buffer.alloc(size, 7),
						headers: { 'content-type': 'application/octet-stream' },
						json: false,
					})) as IDataObject | string;
					const json = typeof body === 'string' ? (JSON.parse(body) as IDataObject) : body;
					out.push({ json, pairedItem: { item: i } });
				} else if (operation === 'makeBinary') {
					const size = this.getNodeParameter('size', i) as number;
					const binary = await this.helpers.prepareBinaryData(
						patternStream(size),
						'big.bin',
						'application/octet-stream',
					);
					out.push({ json: { size }, binary: { data: binary }, pairedItem: { item: i } });
				} else {
					const binary = this.helpers.assertBinaryData(i, 'data');
					let streamed = 0;
					if (binary.id) {
						for await (const chunk of await this.helpers.getBinaryStream(binary.id)) {
							streamed += (chunk as Buffer).length;
						}
					}
					const buffer = await this.helpers.getBinaryDataBuffer(i, 'data');
					out.push({
						json: { bufferLength: buffer.length, streamed, checksum: checksum(buffer) },
						pairedItem: { item: i },
					});
				}
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}

/** Polls {baseUrl}/events?after=<cursor>, cursor in node static data `lastId`. */
export class HarnessPoll implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Poll',
		name: 'harnessPoll',
		group: ['trigger'],
		version: 1,
		polling: true,
		description: 'Harness self-test polling trigger',
		defaults: { name: 'Harness Poll' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'harnessTokenApi', required: true }],
		properties: [
			{ displayName: 'Advance Without Emitting', name: 'advanceOnly', type: 'boolean', default: false },
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const staticData = this.getWorkflowStaticData('node');
		const credentials = await this.getCredentials('harnessTokenApi');
		const after = (staticData.lastId as number | undefined) ?? 0;
		const { events } = (await this.helpers.httpRequestWithAuthentication.call(
			this,
			'harnessTokenApi',
			{ url: `${credentials.baseUrl as string}/events`, qs: { after }, json: true },
		)) as { events: Array<{ id: number; name: string }> };
		if (this.getMode() === 'manual') {
			return events.length ? [this.helpers.returnJsonArray(events.slice(-1))] : null;
		}
		if (events.length) staticData.lastId = events[events.length - 1].id;
		staticData.polls = ((staticData.polls as number | undefined) ?? 0) + 1;
		if (this.getNodeParameter('advanceOnly') === true) return null;
		return events.length ? [this.helpers.returnJsonArray(events)] : null;
	}
}

/** Called by the node's generated streams before each chunk (tests watch the disk with it). */
export const streamProbe: { onChunk?: (sent: number, size: number) => void } = {};

export function patternStream(size: number, chunkSize = 64 * 1024): Readable {
	let sent = 0;
	return new Readable({
		read() {
			streamProbe.onChunk?.(sent, size);
			if (sent >= size) return void this.push(null);
			const n = Math.min(chunkSize, size - sent);
			const chunk = Buffer.alloc(n, Math.floor(sent / chunkSize) % 251);
			sent += n;
			this.push(chunk);
		},
	});
}

export function checksum(buffer: Buffer): number {
	let sum = 0;
	for (let k = 0; k < buffer.length; k += 4099) sum = (sum * 31 + buffer[k]) % 1_000_000_007;
	return sum;
}
