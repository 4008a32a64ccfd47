/**
 * Reusable parameters (org, app picker, instance ID) and the functions that read them,
 * checked before any request. Operations spread the parameters into their `properties` and
 * read them with `appTarget` / `instanceTarget`.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { resolveAltinnUrls } from '../transport';
import { appName, InputError, orgCode, parseInstanceRef, positiveLimit, type InstanceRef } from './validation';

export const orgParameter: INodeProperties = {
	displayName: 'Org',
	name: 'org',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'ttd',
	description: 'Service owner code of the app owner, e.g. ttd, skd or brg',
};

/** The app name in an app URL, `https://{org}.apps…/{org}/{app}…` (the By URL mode's extractValue). */
const APP_URL = 'https?://[^/]+/[^/]+/([a-zA-Z0-9][a-zA-Z0-9-]*)';

export const appLocator: INodeProperties = {
	displayName: 'App',
	name: 'app',
	type: 'resourceLocator',
	required: true,
	default: { mode: 'list', value: '' },
	description: 'The Altinn app, by its name under the org (as in ttd/my-app). From List shows the apps the org has in this environment.',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select an app...',
			typeOptions: { searchListMethod: 'searchApps', searchable: true },
		},
		{
			displayName: 'By Name',
			name: 'id',
			type: 'string',
			placeholder: 'my-app',
			validation: [
				{ type: 'regex', properties: { regex: '^[a-zA-Z0-9][a-zA-Z0-9-]*$', errorMessage: 'App: give the app name, e.g. my-app' } },
			],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://ttd.apps.tt02.altinn.no/ttd/my-app',
			extractValue: { type: 'regex', regex: APP_URL },
			validation: [
				{
					type: 'regex',
					properties: { regex: 'https?://[^/]+/[^/]+/[a-zA-Z0-9][a-zA-Z0-9-]*.*', errorMessage: 'App: give the app URL, e.g. https://ttd.apps.tt02.altinn.no/ttd/my-app' },
				},
			],
		},
	],
};

/** Org and app, for operations on one app. */
export const appParameters: INodeProperties[] = [orgParameter, appLocator];

export const instanceIdParameter: INodeProperties = {
	displayName: 'Instance ID',
	name: 'instanceId',
	type: 'string',
	required: true,
	default: '',
	placeholder: '50001234/1b4e8c3a-0d5f-4b8e-9a67-2f1c3d4e5f60',
	description:
		"The instance as partyId/instanceGuid, or the instance's Storage or app URL (e.g. from <code>selfLinks</code>)",
};

const returnAllParameter: INodeProperties = {
	displayName: 'Return All',
	name: 'returnAll',
	type: 'boolean',
	default: false,
	description: 'Whether to return all results or only up to a given limit',
};

/**
 * Return All and Limit, for list operations; `returnAllByDefault` is Return All's default
 * (true where the whole list is one answer anyway).
 */
export function returnAllParameters(returnAllByDefault = false): INodeProperties[] {
	return [
		returnAllByDefault ? { ...returnAllParameter, default: true } : returnAllParameter,
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
		},
	];
}

/** The item's Limit (a whole number of at least 1, checked), or undefined when Return All is on. */
export function limitOf(ctx: IExecuteFunctions, itemIndex: number, returnAllByDefault = false): number | undefined {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, returnAllByDefault) as boolean;
	return returnAll ? undefined : validated(ctx, itemIndex, () => positiveLimit(ctx.getNodeParameter('limit', itemIndex, 50)));
}

/**
 * The app name from the App locator. n8n's own extraction of the By URL mode fails with a
 * generic "parameter's value is invalid", so the URL is read here, with a message naming App.
 */
function appFromLocator(value: unknown): string {
	const locator = value as { __rl?: boolean; mode?: string; value?: unknown } | string | undefined;
	if (!locator || typeof locator !== 'object') return appName(locator);
	if (locator.mode !== 'url') return appName(locator.value);
	const url = String(locator.value ?? '').trim();
	const match = new RegExp(APP_URL).exec(url);
	if (!match) {
		throw new InputError(
			'App',
			url ? `App "${url.length > 80 ? `${url.slice(0, 80)}…` : url}" is not an app URL` : 'App is empty',
			"Give the app's URL, e.g. https://ttd.apps.tt02.altinn.no/ttd/my-app, or pick the app From List or give it By Name.",
		);
	}
	return appName(match[1]);
}

/** Turns an input check's error into the NodeOperationError n8n shows, naming the parameter. */
export function validated<T>(ctx: IExecuteFunctions, itemIndex: number, check: () => T): T {
	try {
		return check();
	} catch (error) {
		if (error instanceof InputError) {
			throw new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description: error.hint });
		}
		throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
	}
}

export interface AppTarget {
	org: string;
	app: string;
	/** `ttd/my-app` */
	appId: string;
	/** For messages: `app ttd/my-app` */
	label: string;
}

/** The org and app parameters of an item, checked. */
export function appTarget(this: IExecuteFunctions, itemIndex: number): AppTarget {
	const org = validated(this, itemIndex, () => orgCode(this.getNodeParameter('org', itemIndex, '')));
	const app = validated(this, itemIndex, () => appFromLocator(this.getNodeParameter('app', itemIndex, '')));
	return { org, app, appId: `${org}/${app}`, label: `app ${org}/${app}` };
}

export interface InstanceTarget extends InstanceRef {
	/** For messages: `instance 50001234/1b4e…` */
	label: string;
}

/**
 * The instance parameter of an item, checked; org and app come from a pasted app URL, else
 * from the Org and App parameters when the operation has them.
 */
export function instanceTarget(this: IExecuteFunctions, itemIndex: number): InstanceTarget {
	const parsed = validated(this, itemIndex, () => parseInstanceRef(this.getNodeParameter('instanceId', itemIndex, '')));
	let { org, app } = parsed;
	const hasAppParameters = this.getNode().parameters.app !== undefined;
	if ((!org || !app) && hasAppParameters) {
		const orgValue = this.getNodeParameter('org', itemIndex, '') as string;
		const appValue = this.getNodeParameter('app', itemIndex, '') as { value?: unknown } | string;
		if (orgValue && (typeof appValue === 'string' ? appValue : appValue?.value)) {
			org = validated(this, itemIndex, () => orgCode(orgValue));
			app = validated(this, itemIndex, () => appFromLocator(appValue));
		}
	}
	return { ...parsed, org, app, label: `instance ${parsed.id}` };
}

/** Storage URL of an instance: `{storage}/instances/{partyId}/{guid}`. */
export async function storageInstanceUrl(this: IExecuteFunctions, target: InstanceRef): Promise<string> {
	const urls = await resolveAltinnUrls.call(this);
	return `${urls.storage}/instances/${target.id}`;
}

/** App API URL of an instance: `{app}/instances/{partyId}/{guid}`; needs org and app. */
export async function appInstanceUrl(this: IExecuteFunctions, target: InstanceRef, itemIndex = 0): Promise<string> {
	if (!target.org || !target.app) {
		throw new NodeOperationError(this.getNode(), 'Org and App are needed for this operation', {
			itemIndex,
			description: "Set Org and App, or paste the instance's app URL (https://{org}.apps…/{org}/{app}/instances/…) as Instance ID.",
		});
	}
	const urls = await resolveAltinnUrls.call(this);
	return `${urls.app(target.org, target.app)}/instances/${target.id}`;
}
