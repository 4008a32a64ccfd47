import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as getMetadata from './getMetadata.operation';
import * as list from './list.operation';

export const option: INodePropertyOptions = {
	name: 'Application',
	value: 'application',
	description: 'The apps of a service owner and their metadata (data types, process)',
};

export const operations = { getMetadata, list };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['application'] } },
		options: [
			{
				name: 'Get Metadata',
				value: 'getMetadata',
				description: "Get an app's metadata: data types, allowed content types, max sizes",
				action: 'Get app metadata',
			},
			{
				name: 'List',
				value: 'list',
				description: 'List the apps of an org',
				action: 'List apps of an org',
			},
		],
		default: 'getMetadata',
	},
	...getMetadata.description,
	...list.description,
];
