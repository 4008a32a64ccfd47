import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as deleteElement from './delete.operation';
import * as download from './download.operation';
import * as downloadAll from './downloadAll.operation';
import * as list from './list.operation';
import * as replace from './replace.operation';
import * as upload from './upload.operation';

export const option: INodePropertyOptions = {
	name: 'Data Element',
	value: 'dataElement',
	description: "An instance's files and form data",
};

export const operations = { list, download, downloadAll, upload, replace, delete: deleteElement };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['dataElement'] } },
		default: 'list',
		options: [
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a data element',
				description: 'Remove an element through the app',
			},
			{
				name: 'Download',
				value: 'download',
				action: 'Download a data element',
				description: 'One element into a binary field, with its file name and content type',
			},
			{
				name: 'Download All',
				value: 'downloadAll',
				action: 'Download all data elements of an instance',
				description: 'Every element (optionally only some data types) into binary fields',
			},
			{
				name: 'List',
				value: 'list',
				action: 'List the data elements of an instance',
				description: "The instance's elements (metadata)",
			},
			{
				name: 'Replace',
				value: 'replace',
				action: 'Replace a data element',
				description: "New content for an element, through the app",
			},
			{
				name: 'Upload',
				value: 'upload',
				action: 'Upload a data element',
				description: "A binary field or form data as a new element of a data type, through the app (its validation runs)",
			},
		],
	},
	...list.description,
	...download.description,
	...downloadAll.description,
	...upload.description,
	...replace.description,
	...deleteElement.description,
];
