import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as completeProcess from './completeProcess.operation';
import * as getState from './getState.operation';
import * as next from './next.operation';

export const option: INodePropertyOptions = {
	name: 'Process',
	value: 'process',
	description: "Move an instance through the app's process",
};

export const operations = { getState, next, completeProcess };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['process'] } },
		default: 'getState',
		options: [
			{
				name: 'Complete Process',
				value: 'completeProcess',
				action: 'Complete the process of an instance',
				description: 'Move the instance through every remaining task to the end (the app validates each)',
			},
			{
				name: 'Get State',
				value: 'getState',
				action: 'Get the process state of an instance',
				description: 'Current task, whether it is ended, and what the service owner may do in it',
			},
			{
				name: 'Next',
				value: 'next',
				action: 'Move an instance to the next process task',
				description: 'Validate the current task and move the instance on (optionally with an action)',
			},
		],
	},
	...getState.description,
	...next.description,
	...completeProcess.description,
];
