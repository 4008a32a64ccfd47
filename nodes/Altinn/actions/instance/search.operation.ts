import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { appParameters, appTarget, limitOf, returnAllParameters, validated } from '../../shared/descriptions';
import { dateRange, partyId } from '../../shared/validation';
import { collectPages, resolveAltinnUrls, storageInstancePages, type QueryValue } from '../../transport';

/** Page size for Return All: Storage enforces no maximum; large pages mean few requests. */
export const RETURN_ALL_PAGE_SIZE = 1000;

const properties: INodeProperties[] = [
	...appParameters,
	...returnAllParameters(),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{ displayName: 'Archived', name: 'isArchived', type: 'boolean', default: false, description: 'Whether to return only archived instances (process ended), or only not archived ones' },
			{ displayName: 'Created After', name: 'createdAfter', type: 'dateTime', default: '', description: 'Only instances created after this time' },
			{ displayName: 'Created Before', name: 'createdBefore', type: 'dateTime', default: '', description: 'Only instances created at or before this time' },
			{ displayName: 'Current Task', name: 'currentTask', type: 'string', default: '', placeholder: 'Task_1', description: 'Only instances whose process is at this task (its ID in the process)' },
			{ displayName: 'Due Date After', name: 'dueAfter', type: 'dateTime', default: '', description: 'Only instances whose due date (dueBefore) is after this time' },
			{ displayName: 'Due Date Before', name: 'dueBefore', type: 'dateTime', default: '', description: 'Only instances whose due date (dueBefore) is at or before this time' },
			{ displayName: 'Hard Deleted', name: 'isHardDeleted', type: 'boolean', default: false, description: 'Whether to return only hard-deleted instances, or leave them out (service owners otherwise also get hard-deleted instances)' },
			{ displayName: 'Instance Owner Party ID', name: 'instanceOwnerPartyId', type: 'string', default: '', placeholder: '50001234', description: 'Only instances owned by this party' },
			{ displayName: 'Last Changed After', name: 'lastChangedAfter', type: 'dateTime', default: '', description: 'Only instances last changed after this time' },
			{ displayName: 'Last Changed Before', name: 'lastChangedBefore', type: 'dateTime', default: '', description: 'Only instances last changed at or before this time' },
			{ displayName: 'Not Confirmed by Org', name: 'notConfirmedByOrg', type: 'boolean', default: true, description: 'Whether to return only instances the org has not yet confirmed as downloaded (Confirm Download)' },
			{ displayName: 'Process Completed', name: 'isComplete', type: 'boolean', default: true, description: 'Whether to return only instances whose process is completed, or only those still in progress' },
			{ displayName: 'Soft Deleted', name: 'isSoftDeleted', type: 'boolean', default: false, description: 'Whether to return only soft-deleted instances, or only not soft-deleted ones' },
			{ displayName: 'Visible Date After', name: 'visibleAfterFrom', type: 'dateTime', default: '', description: 'Only instances whose visible-after date is after this time' },
			{ displayName: 'Visible Date Before', name: 'visibleAfterTo', type: 'dateTime', default: '', description: 'Only instances whose visible-after date is at or before this time' },
		],
	},
	{
		displayName: 'Sort',
		name: 'order',
		type: 'options',
		default: 'desc:lastChanged',
		options: [
			{ name: 'Last Changed, Newest First', value: 'desc:lastChanged' },
			{ name: 'Last Changed, Oldest First', value: 'asc:lastChanged' },
		],
	},
];

/** Only reads: the router runs several items at a time. */
export const readOnly = true;

export const description = updateDisplayOptions({ show: { resource: ['instance'], operation: ['search'] } }, properties);

/** Pure: Storage query parameters from the node's filters (dates as `gt:`/`lte:` UTC ranges). */
export function searchQuery(appId: string, org: string, filters: IDataObject, timeZone?: string): Record<string, QueryValue> {
	const range = (after: string, afterLabel: string, before: string, beforeLabel: string) =>
		dateRange({ value: filters[after], parameter: afterLabel }, { value: filters[before], parameter: beforeLabel }, timeZone);
	const bool = (name: string) => (typeof filters[name] === 'boolean' ? (filters[name] as boolean) : undefined);
	return {
		appId,
		'process.currentTask': typeof filters.currentTask === 'string' ? filters.currentTask.trim() : undefined,
		'process.isComplete': bool('isComplete'),
		excludeConfirmedBy: filters.notConfirmedByOrg === true ? org : undefined,
		'status.isArchived': bool('isArchived'),
		'status.isSoftDeleted': bool('isSoftDeleted'),
		'status.isHardDeleted': bool('isHardDeleted'),
		'instanceOwner.partyId': filters.instanceOwnerPartyId ? partyId(filters.instanceOwnerPartyId, 'Instance Owner Party ID') : undefined,
		created: range('createdAfter', 'Created After', 'createdBefore', 'Created Before'),
		lastChanged: range('lastChangedAfter', 'Last Changed After', 'lastChangedBefore', 'Last Changed Before'),
		dueBefore: range('dueAfter', 'Due Date After', 'dueBefore', 'Due Date Before'),
		visibleAfter: range('visibleAfterFrom', 'Visible Date After', 'visibleAfterTo', 'Visible Date Before'),
	};
}

/** Storage `GET /instances?appId=…`, following `next` (Return All) or stopping at Limit. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = appTarget.call(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const limit = limitOf(this, itemIndex);
	const order = this.getNodeParameter('order', itemIndex, 'desc:lastChanged') as string;
	const qs = validated(this, itemIndex, () => searchQuery(target.appId, target.org, filters, this.getTimezone()));
	qs.order = order;
	qs.size = limit === undefined ? RETURN_ALL_PAGE_SIZE : Math.min(limit, RETURN_ALL_PAGE_SIZE);
	const urls = await resolveAltinnUrls.call(this);
	const pages = storageInstancePages.call(this, { url: `${urls.storage}/instances`, qs, target: `instances of ${target.appId}` }, itemIndex);
	const instances = await collectPages(pages, limit);
	return instances.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}
