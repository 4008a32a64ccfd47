import type { INodeProperties } from 'n8n-workflow';

import { triggerProperties } from '../AltinnTrigger/description';

/** The polling trigger's field of this name (Org, App, Fetch Full Instance, …), so both triggers read alike. */
function pollingField(name: string): INodeProperties {
	const field = triggerProperties.find((p) => p.name === name);
	if (!field) throw new Error(`The Altinn Trigger has no field "${name}"`);
	return field;
}

/** Options of the polling trigger that also apply to pushed events. */
const sharedOptions = ((pollingField('options').options ?? []) as INodeProperties[]).filter((o) =>
	['dataTypes', 'binaryPrefix'].includes(o.name),
);

export const eventsTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Altinn pushes events to this workflow\'s production URL, which must be public HTTPS with a trusted certificate. A new subscription can take up to an hour to start delivering.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	pollingField('org'),
	pollingField('app'),
	{
		displayName: 'Event Type',
		name: 'typeFilter',
		type: 'options',
		noDataExpression: true,
		description: 'Altinn sends only events of this type (the subscription\'s typeFilter)',
		options: [
			{ name: 'Any', value: '', description: 'Every event the app publishes' },
			{ name: 'Instance Created', value: 'app.instance.created' },
			{ name: 'Other Type', value: 'custom', description: 'Type the event type yourself' },
			{ name: 'Process Completed', value: 'app.instance.process.completed' },
			{ name: 'Substatus Changed', value: 'app.instance.substatus.changed' },
		],
		default: 'app.instance.process.completed',
	},
	{
		displayName: 'Custom Event Type',
		name: 'customType',
		type: 'string',
		required: true,
		displayOptions: { show: { typeFilter: ['custom'] } },
		default: '',
		placeholder: 'app.instance.process.movedTo.Task_2',
		description: 'The exact event type, e.g. app.instance.process.movedTo.Task_2',
	},
	{
		displayName: 'Party ID',
		name: 'partyId',
		type: 'string',
		default: '',
		placeholder: '50001001',
		description: 'Only events about this party (the subscription\'s subjectFilter /party/{ID}). Empty means every party.',
	},
	pollingField('fetchInstance'),
	pollingField('downloadData'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sharedOptions,
	},
];
