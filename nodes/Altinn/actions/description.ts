import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_SEC, REQUEST_OPTIONS } from '../transport';
import { resources } from './resources';
import { ALLOW_DESTRUCTIVE_AS_TOOL } from './toolSafety';

const all = Object.values(resources);

/** Node-level options that apply to every operation. */
export const requestOptions: INodeProperties = {
	displayName: 'Request Options',
	name: REQUEST_OPTIONS,
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Allow Destructive Operations as Tool',
			name: ALLOW_DESTRUCTIVE_AS_TOOL,
			type: 'boolean',
			noDataExpression: true,
			default: false,
			description:
				"Whether an AI agent using this node as a tool may delete instances or data elements, replace data, or move the process on (Next, Complete Process). Off: those operations are refused when the node runs as a tool; they cannot be undone, and an agent's parameters come from the conversation.",
		},
		{
			displayName: 'Allowed System User Orgs',
			name: 'allowedSystemUserOrgs',
			type: 'string',
			noDataExpression: true,
			default: '',
			placeholder: '910753614, 310000002',
			description:
				'Organisation numbers that System User Org may name, separated by commas. Any other is refused before a token is requested. Empty: any organisation that has approved a system user for your system. Set it whenever System User Org comes from item data.',
		},
		{
			displayName: 'Batching',
			name: 'batching',
			placeholder: 'Add Batching',
			type: 'fixedCollection',
			typeOptions: { multipleValues: false },
			default: { batch: {} },
			description: 'Process several items at the same time, with a pause between batches, without overloading Altinn',
			options: [
				{
					displayName: 'Batching',
					name: 'batch',
					values: [
						{
							displayName: 'Items per Batch',
							name: 'batchSize',
							type: 'number',
							typeOptions: { minValue: 1 },
							default: 10,
							description: 'How many items are processed at the same time',
						},
						{
							displayName: 'Pause Between Batches (Ms)',
							name: 'batchInterval',
							type: 'number',
							typeOptions: { minValue: 0 },
							default: 1000,
							description: 'How long to wait after one batch before the next starts, in milliseconds',
						},
					],
				},
			],
		},
		{
			displayName: 'System User External Ref',
			name: 'systemUserExternalRef',
			type: 'string',
			default: '',
			description: 'External reference of the system user, when the customer has more than one for this system',
		},
		{
			displayName: 'System User Org',
			name: 'systemUserOrg',
			type: 'string',
			default: '',
			placeholder: '910753614',
			description:
				"Act as the system user of this customer organisation (9 digits) for this item, instead of the credential's own identity. Each organisation's token is cached and reused. Risk: when this is an expression over item data, whoever controls that data (a form, a webhook, an AI agent) chooses which customer the node acts for; limit it with Allowed System User Orgs.",
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_TIMEOUT_SEC,
			description:
				'How long Altinn may take to answer one request. A downloaded file fails only when no data arrives for this long. Retries of a request that is safe to repeat stop after twice this time in total.',
		},
	],
};

/** Every parameter of the node: the resource selector, each resource's operations, request options. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: all.map((r) => r.option).sort((a, b) => a.name.localeCompare(b.name)),
		default: 'instance',
	},
	...all.flatMap((r) => r.description),
	requestOptions,
];

/**
 * The node's subtitle on the canvas, in the names the selectors show ("Download All: Data Element"),
 * not their values ("downloadAll: dataElement"). Built from the selectors, so it never drifts from them.
 */
export function subtitleExpression(): string {
	const resourceNames = Object.fromEntries(all.map((r) => [r.option.value, r.option.name]));
	const operationNames: Record<string, string> = {};
	for (const r of all) {
		for (const p of r.description) {
			if (p.name !== 'operation' || !p.options) continue;
			for (const o of p.options as INodePropertyOptions[]) operationNames[`${String(r.option.value)}:${String(o.value)}`] = o.name;
		}
	}
	return `={{ (${JSON.stringify(operationNames)})[$parameter["resource"] + ":" + $parameter["operation"]] + ": " + (${JSON.stringify(resourceNames)})[$parameter["resource"]] }}`;
}
