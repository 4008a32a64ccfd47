import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as getAppEvents from './getAppEvents.operation';

export const option: INodePropertyOptions = {
	name: 'Event',
	value: 'event',
	description: 'Events an app has published (Altinn Events)',
};

export const operations = { getAppEvents };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['event'] } },
		default: 'getAppEvents',
		options: [
			{
				name: 'Get App Events',
				value: 'getAppEvents',
				action: 'Get the events of an app',
				description: 'CloudEvents the app published (created, process moved or completed, …), from a time or after an event',
			},
		],
	},
	...getAppEvents.description,
];
