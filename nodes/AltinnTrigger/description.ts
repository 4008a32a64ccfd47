import type { INodeProperties, NodeHint } from 'n8n-workflow';

/** The default for "Max Items per Poll": one execution never carries more than this. */
export const DEFAULT_MAX_ITEMS = 500;
/**
 * The default for "Settle Time": instance changes younger than this, on Altinn's clock, wait for the
 * next poll. 30 s is the window Altinn chose for the same race in Events (getappevents_v2 returns only
 * events registered at least 30 s ago, altinn-events commit d7232ac). Storage stamps `lastChanged`
 * before it writes (see instanceSource.ts), so a slow write is visible late with an earlier time; the
 * cost of the margin is only that each change is emitted about 30 s later.
 */
export const DEFAULT_SETTLE_SECONDS = 30;
/** The default for "Redeliver After": an emitted instance still unconfirmed this long after is emitted again. */
export const DEFAULT_REDELIVER_MINUTES = 15;
/** The default for "Max Deliveries": after this many, an unconfirmed instance is reported once with `gaveUp`. */
export const DEFAULT_MAX_DELIVERIES = 5;

/** Warnings in the editor for settings with which the workflow's own writes can start it again. */
export const triggerHints: NodeHint[] = [
	{
		type: 'warning',
		location: 'ndv',
		whenToDisplay: 'always',
		displayCondition: '={{ $parameter["source"] === "instanceChanges" && $parameter["notConfirmed"] === false }}',
		message:
			'Without "Not Yet Confirmed by Us", every change the workflow makes to an instance\'s data elements or process starts it again (changes to substatus, read status, presentation texts, data values and confirmations are passed over). Keep it on and end the workflow with Confirm Download.',
	},
	{
		type: 'warning',
		location: 'ndv',
		whenToDisplay: 'always',
		displayCondition: '={{ $parameter["source"] === "instanceChanges" && $parameter["onlyCompleted"] === false && $parameter["notConfirmed"] !== false }}',
		message:
			'Instances still in progress are emitted on every change until confirmed; a workflow that uploads data or moves the process runs again for its own change. Turn on "Only Completed", or make the workflow idempotent.',
	},
];

export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Instance Changes',
				value: 'instanceChanges',
				description: 'Poll Storage for instances changed since the last poll. Works for every app.',
			},
			{
				name: 'App Events',
				value: 'appEvents',
				description: 'Poll the Events API. Only for apps that publish events (RegisterEventsWithEventsComponent).',
			},
		],
		default: 'instanceChanges',
	},
	{
		displayName: 'Org',
		name: 'org',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'ttd',
		description: 'The service owner code of the app',
	},
	{
		displayName: 'App',
		name: 'app',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'my-app',
		description: 'The app name (the part after org/ in the app ID)',
	},
	{
		displayName: 'Event Types',
		name: 'eventTypes',
		type: 'multiOptions',
		displayOptions: { show: { source: ['appEvents'] } },
		options: [
			{ name: 'Any', value: 'any', description: 'Every event the app publishes' },
			{ name: 'Instance Created', value: 'created', description: 'Type app.instance.created' },
			{ name: 'Process Completed', value: 'completed', description: 'Type app.instance.process.completed' },
			{ name: 'Process Moved to a Task', value: 'movedTo', description: 'Type app.instance.process.movedTo.{task}' },
			{ name: 'Substatus Changed', value: 'substatusChanged', description: 'Type app.instance.substatus.changed' },
		],
		default: ['completed'],
	},
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		displayOptions: { show: { source: ['appEvents'] } },
		default: '',
		placeholder: 'Task_2',
		description: 'For "Process Moved to a Task": the task to watch. Empty means any task.',
	},
	{
		displayName: 'Only Completed',
		name: 'onlyCompleted',
		type: 'boolean',
		displayOptions: { show: { source: ['instanceChanges'] } },
		default: true,
		description: 'Whether to only include instances whose process has ended (submitted)',
	},
	{
		displayName: 'Not Yet Confirmed by Us',
		name: 'notConfirmed',
		type: 'boolean',
		displayOptions: { show: { source: ['instanceChanges'] } },
		default: true,
		description:
			'Whether to leave out instances the org has confirmed (Confirm Download), and emit an instance again while it stays unconfirmed (see Redeliver After). End the workflow with Confirm Download.',
	},
	{
		displayName: 'Current Task',
		name: 'currentTask',
		type: 'string',
		displayOptions: { show: { source: ['instanceChanges'] } },
		default: '',
		placeholder: 'Task_1',
		description: 'Only instances whose process is at this task. Empty means any.',
	},
	{
		displayName: 'Start From',
		name: 'startFrom',
		type: 'options',
		noDataExpression: true,
		description: 'Where a newly activated trigger starts. After that it always continues where it stopped.',
		options: [
			{ name: 'Now', value: 'now', description: 'Only what changes after the trigger is activated' },
			{ name: 'A Given Time', value: 'time', description: 'Everything changed since a time' },
			{
				name: 'Everything Not Yet Confirmed',
				value: 'unconfirmed',
				description:
					'Instance changes: every instance not yet confirmed by the org, then new changes. App events: the 90 days Events keeps.',
			},
		],
		default: 'now',
	},
	{
		displayName: 'Start Time',
		name: 'startTime',
		type: 'dateTime',
		displayOptions: { show: { startFrom: ['time'] } },
		default: '',
		description: 'Emit what changed at or after this time (UTC unless a zone is given)',
	},
	{
		displayName: 'Fetch Full Instance',
		name: 'fetchInstance',
		type: 'boolean',
		default: false,
		description: 'Whether to add the whole instance (process, status, data elements) to each item',
	},
	{
		displayName: 'Download Data Elements',
		name: 'downloadData',
		type: 'boolean',
		default: false,
		description: 'Whether to download the instance\'s data elements as binary properties of the item',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Data Types',
				name: 'dataTypes',
				type: 'string',
				default: '',
				placeholder: 'ref-data-as-pdf, attachment',
				description: 'Download only data elements of these data types (comma-separated). Empty means all.',
			},
			{
				displayName: 'Max Deliveries',
				name: 'maxDeliveries',
				type: 'number',
				typeOptions: { minValue: 1 },
				displayOptions: { show: { '/source': ['instanceChanges'], '/notConfirmed': [true] } },
				default: DEFAULT_MAX_DELIVERIES,
				description:
					'After this many deliveries without a confirmation, the instance is emitted once more with gaveUp true, then no more until it changes',
			},
			{
				displayName: 'Max Items per Poll',
				name: 'maxItems',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10000 },
				default: DEFAULT_MAX_ITEMS,
				description: 'The most items one poll emits; a backlog continues on the next poll',
			},
			{
				displayName: 'Put Output Files in Fields Starting With',
				name: 'binaryPrefix',
				type: 'string',
				default: 'data_',
				description: 'Downloaded files go to binary fields named this prefix plus 0, 1, 2…',
			},
			{
				displayName: 'Redeliver After (Minutes)',
				name: 'redeliverMinutes',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				displayOptions: { show: { '/source': ['instanceChanges'], '/notConfirmed': [true] } },
				default: DEFAULT_REDELIVER_MINUTES,
				description:
					'An instance still not confirmed this long after it was emitted is emitted again, with redelivered true and its attempt number. Give the workflow time to finish.',
			},
			{
				displayName: 'Settle Time (Seconds)',
				name: 'settleSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				displayOptions: { show: { '/source': ['instanceChanges'] } },
				default: DEFAULT_SETTLE_SECONDS,
				description:
					'Instance changes younger than this (on Altinn\'s clock) wait for a later poll, so that a change Storage writes late is not passed over',
			},
		],
	},
];
