import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { altinnRequest } from '../../transport';
import { validated } from '../../shared/descriptions';
import { InputError } from '../../shared/validation';
import { authenticationApi, customerOf, customerOrgParameter, externalRefParameter, systemIdOf, systemIdParameter } from './common';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const properties: INodeProperties[] = [
	{
		displayName: 'Request Kind',
		name: 'requestKind',
		type: 'options',
		options: [
			{ name: 'Standard', value: 'standard', description: 'A request made with Create Request' },
			{ name: 'Agent', value: 'agent', description: 'A request made with Create Agent Request' },
		],
		default: 'standard',
	},
	{
		displayName: 'Find By',
		name: 'findBy',
		type: 'options',
		options: [
			{ name: 'Request ID', value: 'id', description: 'The ID Create Request returned' },
			{ name: 'System, Customer and External Ref', value: 'externalRef' },
		],
		default: 'id',
	},
	{
		displayName: 'Request ID',
		name: 'requestId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '7f2c9a3e-5b1d-4c8e-9f0a-1b2c3d4e5f60',
		displayOptions: { show: { findBy: ['id'] } },
	},
	{ ...systemIdParameter, displayOptions: { show: { findBy: ['externalRef'] } } },
	{ ...customerOrgParameter, displayOptions: { show: { findBy: ['externalRef'] } } },
	{ ...externalRefParameter, displayOptions: { show: { findBy: ['externalRef'] } } },
];

export const description = updateDisplayOptions({ show: { resource: ['systemUser'], operation: ['getRequest'] } }, properties);

/**
 * `GET …/systemuser/request/vendor[/agent]/{requestId}` or
 * `GET …/systemuser/request/vendor[/agent]/byexternalref/{systemId}/{orgNo}/{externalRef}`
 * (RequestSystemUserController, Altinn/altinn-authentication ad4f6f3). The output carries `status` and `confirmUrl`.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const kind = this.getNodeParameter('requestKind', itemIndex, 'standard') as string;
	const findBy = this.getNodeParameter('findBy', itemIndex, 'id') as string;
	const base = `${await authenticationApi.call(this)}/systemuser/request/vendor${kind === 'agent' ? '/agent' : ''}`;
	let url: string;
	let target: string;
	if (findBy === 'id') {
		const id = validated(this, itemIndex, () => {
			const text = String(this.getNodeParameter('requestId', itemIndex, '')).trim();
			if (!GUID.test(text)) throw new InputError('Request ID', `Request ID "${text}" is not a request ID`, 'A request ID is a GUID, the "id" that Create Request returned.');
			return text;
		});
		url = `${base}/${id}`;
		target = `system user request ${id}`;
	} else {
		const { systemId } = systemIdOf(this, itemIndex);
		const { customerOrg, externalRef } = customerOf(this, itemIndex);
		url = `${base}/byexternalref/${[systemId, customerOrg, externalRef].map(encodeURIComponent).join('/')}`;
		target = `system user request for ${customerOrg} (system ${systemId}, external ref ${externalRef})`;
	}
	const request = await altinnRequest.call(this, { method: 'GET', url, retry: 'safe', target, systemUser: null }, itemIndex);
	return [{ json: request }];
}
