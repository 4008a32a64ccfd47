import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as createAgentRequest from './createAgentRequest.operation';
import * as createRequest from './createRequest.operation';
import * as findSystemUser from './findSystemUser.operation';
import * as getRequest from './getRequest.operation';
import * as getSystem from './getSystem.operation';
import * as listSystemUsers from './listSystemUsers.operation';
import * as registerSystem from './registerSystem.operation';
import * as updateSystem from './updateSystem.operation';

/** For system vendors: the system register and system user requests (Altinn Authentication). */
export const option: INodePropertyOptions = { name: 'System User', value: 'systemUser' };

export const operations = {
	createAgentRequest,
	createRequest,
	findSystemUser,
	getRequest,
	getSystem,
	listSystemUsers,
	registerSystem,
	updateSystem,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['systemUser'] } },
		options: [
			{ name: 'Create Agent Request', value: 'createAgentRequest', description: 'Ask a customer for a client-delegation (agent) system user', action: 'Create an agent system user request' },
			{ name: 'Create Request', value: 'createRequest', description: 'Ask a customer for a system user; the output has the confirm URL to send them', action: 'Create a system user request' },
			{ name: 'Find System User', value: 'findSystemUser', description: "Look up a customer's system user for a system", action: 'Find a system user' },
			{ name: 'Get Request', value: 'getRequest', description: 'Get a system user request and its status', action: 'Get a system user request' },
			{ name: 'Get System', value: 'getSystem', description: 'Get a system from the system register', action: 'Get a system' },
			{ name: 'List System Users', value: 'listSystemUsers', description: 'List the system users customers have created for a system', action: 'List system users' },
			{ name: 'Register System', value: 'registerSystem', description: 'Add a system to the system register', action: 'Register a system' },
			{ name: 'Update System', value: 'updateSystem', description: 'Replace a system in the system register', action: 'Update a system' },
		],
		default: 'createRequest',
	},
	...createAgentRequest.description,
	...createRequest.description,
	...findSystemUser.description,
	...getRequest.description,
	...getSystem.description,
	...listSystemUsers.description,
	...registerSystem.description,
	...updateSystem.description,
];
