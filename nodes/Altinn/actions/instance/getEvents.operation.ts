import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { instanceIdParameter, validated } from '../../shared/descriptions';
import { toUtcIso } from '../../shared/dates';
import { storageInstanceCall } from './common';

const EVENT_TYPES = [
	'Created', 'Saved', 'Submited', 'Deleted', 'Undeleted', 'ConfirmedComplete', 'SubstatusUpdated',
	'process_StartEvent', 'process_EndEvent', 'process_StartTask', 'process_EndTask', 'process_AbandonTask',
	'Signed', 'SentToSign', 'SentToPayment', 'SentToSendIn', 'SentToFormFill', 'InstanceForwarded',
	'InstanceRightRevoked', 'NotificationSentSms', 'MessageArchived', 'MessageRead',
];

const properties: INodeProperties[] = [
	instanceIdParameter,
	{
		displayName: 'Filters',
		name: 'eventFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{ displayName: 'From', name: 'from', type: 'dateTime', default: '', description: 'Only events at or after this time' },
			{ displayName: 'To', name: 'to', type: 'dateTime', default: '', description: 'Only events at or before this time' },
			{
				displayName: 'Event Types',
				name: 'eventTypes',
				type: 'multiOptions',
				default: [],
				options: EVENT_TYPES.map((t) => ({ name: t, value: t })),
				description: 'Only events of these types',
			},
		],
	},
];

/** Only reads: the router runs several items at a time. */
export const readOnly = true;

export const description = updateDisplayOptions({ show: { resource: ['instance'], operation: ['getEvents'] } }, properties);

/** Storage applies a time filter only when both ends are given, so a missing end is filled in. */
export function eventQuery(filters: IDataObject, timeZone?: string, now = new Date()): Record<string, string | string[] | undefined> {
	const from = toUtcIso(filters.from, 'From', timeZone);
	const to = toUtcIso(filters.to, 'To', timeZone);
	const types = Array.isArray(filters.eventTypes) ? (filters.eventTypes as string[]) : [];
	const timed = from || to;
	return {
		eventTypes: types.length ? types : undefined,
		from: timed ? (from ?? '1900-01-01T00:00:00.000Z') : undefined,
		to: timed ? (to ?? new Date(now.getTime() + 60_000).toISOString()) : undefined,
	};
}

/** Storage `GET …/events` (the instance's audit log): one item per event. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const filters = this.getNodeParameter('eventFilters', itemIndex, {}) as IDataObject;
	const qs = validated(this, itemIndex, () => eventQuery(filters, this.getTimezone()));
	const body = await storageInstanceCall.call(this, itemIndex, { method: 'GET', path: '/events', qs, action: 'read' });
	const events = (body.instanceEvents as IDataObject[] | undefined) ?? [];
	return events.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}
