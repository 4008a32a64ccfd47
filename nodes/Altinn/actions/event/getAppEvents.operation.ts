import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { appParameters, appTarget, limitOf, returnAllParameters, validated } from '../../shared/descriptions';
import { toUtcIso } from '../../shared/dates';
import { InputError, partyId } from '../../shared/validation';
import { collectPages, eventPages, resolveAltinnUrls, type QueryValue } from '../../transport';

/** Events' page size when returning everything; the `next` header is followed page by page. */
const PAGE_SIZE = 100;

const properties: INodeProperties[] = [
	...appParameters,
	{
		displayName: 'Start',
		name: 'start',
		type: 'options',
		default: 'from',
		options: [
			{ name: 'From a Time', value: 'from', description: 'Events registered at or after a time' },
			{ name: 'After an Event ID', value: 'after', description: 'Events registered after a known event (e.g. the last one you processed)' },
		],
		description: 'Where the event list starts. Altinn keeps events for 90 days.',
	},
	{
		displayName: 'From',
		name: 'from',
		type: 'dateTime',
		required: true,
		default: '',
		displayOptions: { show: { start: ['from'] } },
		description: "Events registered at or after this time (without a time zone, the workflow's time zone is used)",
	},
	{
		displayName: 'After Event ID',
		name: 'after',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'fc12dc69-fcd4-43c6-9fde-b94fcdcc3597',
		displayOptions: { show: { start: ['after'] } },
		description: 'The ID of the last event already seen; only later events are returned',
	},
	...returnAllParameters(),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Event Types',
				name: 'types',
				type: 'string',
				typeOptions: { multipleValues: true },
				default: [],
				placeholder: 'app.instance.process.completed',
				description:
					'Only events of these exact types, e.g. app.instance.created, app.instance.process.completed, app.instance.process.movedTo.Task_2',
			},
			{
				displayName: 'Party ID',
				name: 'party',
				type: 'string',
				default: '',
				placeholder: '50001234',
				description: 'Only events about instances of this party (the instance owner)',
			},
			{
				displayName: 'To',
				name: 'to',
				type: 'dateTime',
				default: '',
				description: 'Only events registered before this time',
			},
		],
	},
];

/** Only reads: the router runs several items at a time. */
export const readOnly = true;

export const description = updateDisplayOptions({ show: { resource: ['event'], operation: ['getAppEvents'] } }, properties);

interface Filters {
	types?: string[] | string;
	party?: string;
	to?: string;
}

/** Events `GET /app/{org}/{app}`: one item per CloudEvent, following the `next` header. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = appTarget.call(this, itemIndex);
	const timeZone = this.getTimezone();
	const start = this.getNodeParameter('start', itemIndex, 'from') as string;
	const filters = this.getNodeParameter('filters', itemIndex, {}) as Filters;
	const limit = limitOf(this, itemIndex);

	const qs: Record<string, QueryValue> = validated(this, itemIndex, () => {
		const query: Record<string, QueryValue> = {};
		if (start === 'after') {
			const after = String(this.getNodeParameter('after', itemIndex, '')).trim();
			if (!after) throw new InputError('After Event ID', 'After Event ID is empty', 'Give the ID of the last event already seen, or start from a time.');
			query.after = after;
		} else {
			const from = toUtcIso(this.getNodeParameter('from', itemIndex, ''), 'From', timeZone);
			if (!from) throw new InputError('From', 'From is empty', 'Give the time to start from, e.g. 2024-05-01T00:00:00Z.');
			query.from = from;
		}
		const to = toUtcIso(filters.to, 'To', timeZone);
		if (to) {
			if (typeof query.from === 'string' && Date.parse(query.from) >= Date.parse(to)) {
				throw new InputError('To', `To (${to}) is not after From (${query.from})`, 'The range would match nothing. Set To to a later time than From, or clear To.');
			}
			query.to = to;
		}
		const types = (Array.isArray(filters.types) ? filters.types : filters.types ? [filters.types] : [])
			.map((t) => String(t).trim())
			.filter(Boolean);
		if (types.length) query.type = types;
		if (filters.party !== undefined && String(filters.party).trim() !== '') query.party = partyId(filters.party, 'Party ID');
		query.size = limit === undefined ? PAGE_SIZE : Math.min(limit, PAGE_SIZE);
		return query;
	});

	const urls = await resolveAltinnUrls.call(this);
	const pages = eventPages.call(
		this,
		{ url: `${urls.events}/app/${target.org}/${target.app}`, qs, target: `the events of ${target.label}` },
		itemIndex,
	);
	const events = await collectPages<IDataObject>(pages, limit);
	return events.map((event) => ({ json: event }));
}
