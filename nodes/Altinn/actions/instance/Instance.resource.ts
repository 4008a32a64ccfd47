import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as get from './get.operation';

export const option: INodePropertyOptions = { name: 'Instance', value: 'instance' };

export const operations = { get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['instance'] } },
		options: [{ name: 'Get', value: 'get', description: 'Get an instance', action: 'Get an instance' }],
		default: 'get',
	},
	...get.description,
];
