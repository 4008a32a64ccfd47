import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as confirmDownload from './confirmDownload.operation';
import * as create from './create.operation';
import * as deleteInstance from './delete.operation';
import * as get from './get.operation';
import * as getEvents from './getEvents.operation';
import * as getProcessHistory from './getProcessHistory.operation';
import * as search from './search.operation';
import * as setReadStatus from './setReadStatus.operation';
import * as setSubstatus from './setSubstatus.operation';
import * as updateDataValues from './updateDataValues.operation';
import * as updatePresentationTexts from './updatePresentationTexts.operation';

export const option: INodePropertyOptions = {
	name: 'Instance',
	value: 'instance',
	description: 'One submission or case of an app: create, search, read, confirm, update and delete',
};

export const operations = {
	confirmDownload,
	create,
	delete: deleteInstance,
	get,
	getEvents,
	getProcessHistory,
	search,
	setReadStatus,
	setSubstatus,
	updateDataValues,
	updatePresentationTexts,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['instance'] } },
		options: [
			{ name: 'Confirm Download', value: 'confirmDownload', description: 'Confirm that the org has downloaded the instance', action: 'Confirm download of an instance' },
			{ name: 'Create', value: 'create', description: 'Create (instantiate) an instance of an app', action: 'Create an instance' },
			{ name: 'Delete', value: 'delete', description: 'Soft or hard delete an instance', action: 'Delete an instance' },
			{ name: 'Get', value: 'get', description: 'Get an instance', action: 'Get an instance' },
			{ name: 'Get Events', value: 'getEvents', description: "Get an instance's events (audit log)", action: 'Get events of an instance' },
			{ name: 'Get Process History', value: 'getProcessHistory', description: "Get an instance's process history", action: 'Get process history of an instance' },
			{ name: 'Search', value: 'search', description: 'Search the instances of an app', action: 'Search instances' },
			{ name: 'Set Read Status', value: 'setReadStatus', description: 'Set the read status of an instance', action: 'Set read status of an instance' },
			{ name: 'Set Substatus', value: 'setSubstatus', description: 'Set the substatus of an instance', action: 'Set substatus of an instance' },
			{ name: 'Update Data Values', value: 'updateDataValues', description: 'Set or remove data values of an instance', action: 'Update data values of an instance' },
			{ name: 'Update Presentation Texts', value: 'updatePresentationTexts', description: 'Set or remove presentation texts of an instance', action: 'Update presentation texts of an instance' },
		],
		default: 'search',
	},
	...confirmDownload.description,
	...create.description,
	...deleteInstance.description,
	...get.description,
	...getEvents.description,
	...getProcessHistory.description,
	...search.description,
	...setReadStatus.description,
	...setSubstatus.description,
	...updateDataValues.description,
	...updatePresentationTexts.description,
];
