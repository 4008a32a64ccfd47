import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { appParameters, appTarget, limitOf, returnAllParameters, validated } from '../../shared/descriptions';
import { dateRange } from '../../shared/dates';
import { partyId } from '../../shared/validation';
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

/**
 * Pure: an ISO UTC time in the form Storage keeps `dueBefore` and `visibleAfter` in
 * (`2030-12-31T00:00:00Z`: no fraction when it is zero, no trailing zeros). Storage compares
 * those two filters as text with the stored value (altinn-storage Migration/v0.33/
 * 02-functions-and-procedures.sql, `i.instance ->> 'DueBefore' <= _dueBefore_lte`), so
 * `…00:00.000Z` would sort after `…00:00Z` and a bound would miss an instance due exactly then.
 */
export function storedDateText(isoUtc: string): string {
	return isoUtc.replace(/\.(\d*?)0*Z$/, (_match, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

/** `op:time` values with each time in the form Storage stores (see `storedDateText`). */
function asStoredText(range: string[] | undefined): string[] | undefined {
	return range?.map((value) => value.replace(/^(\w+):(.*)$/, (_match, op: string, time: string) => `${op}:${storedDateText(time)}`));
}

/**
 * Pure: Storage query parameters from the node's filters (dates as `gt:`/`lte:` UTC ranges;
 * due and visible dates in Storage's stored text form).
 */
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
		dueBefore: asStoredText(range('dueAfter', 'Due Date After', 'dueBefore', 'Due Date Before')),
		visibleAfter: asStoredText(range('visibleAfterFrom', 'Visible Date After', 'visibleAfterTo', 'Visible Date Before')),
	};
}

/**
 * How to page Storage so that no instance is skipped or repeated. Storage sorts newest-first
 * by `lastChanged DESC, id ASC` but continues with `id < continuationIdx` (altinn-storage
 * Migration/v0.33/02-functions-and-procedures.sql, readinstancefromquery_v8), so instances
 * that share a `lastChanged` across a page boundary are repeated or skipped. Oldest-first
 * (`ASC, id ASC`, continuing with `id >`) is consistent. So: Return All always pages
 * oldest-first (and reverses for Newest First); a Limit with Newest First asks for one page of
 * exactly Limit instances (Storage has no maximum page size), so it never continues.
 */
export function pagingPlan(order: string, limit: number | undefined): { order: string; size: number; reverse: boolean } {
	const newestFirst = order !== 'asc:lastChanged';
	if (limit === undefined) return { order: 'asc:lastChanged', size: RETURN_ALL_PAGE_SIZE, reverse: newestFirst };
	return { order, size: newestFirst ? limit : Math.min(limit, RETURN_ALL_PAGE_SIZE), reverse: false };
}

/** Storage `GET /instances?appId=…`, following `next` (Return All) or stopping at Limit. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = appTarget.call(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const limit = limitOf(this, itemIndex);
	const plan = pagingPlan(this.getNodeParameter('order', itemIndex, 'desc:lastChanged') as string, limit);
	const qs = validated(this, itemIndex, () => searchQuery(target.appId, target.org, filters, this.getTimezone()));
	qs.order = plan.order;
	qs.size = plan.size;
	const urls = await resolveAltinnUrls.call(this);
	const pages = storageInstancePages.call(this, { url: `${urls.storage}/instances`, qs, target: `instances of ${target.appId}` }, itemIndex);
	const instances = await collectPages(pages, limit);
	if (plan.reverse) instances.reverse();
	return instances.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}
