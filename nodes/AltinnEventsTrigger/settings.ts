/**
 * The Events trigger's parameters, read once and validated, and the subscription they ask for.
 */
import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { appFromLocator } from '../Altinn/shared/descriptions';
import { InputError } from '../Altinn/shared/validation';
import type { FinishSettings } from '../AltinnTrigger/finisher';

export interface EventsTriggerSettings extends FinishSettings {
	/** `urn:altinn:resource:app_{org}_{app}` (Altinn's resourceFilter; sourceFilter is deprecated). */
	resourceFilter: string;
	/** An exact event type, or undefined for every type. */
	typeFilter?: string;
	/** `/party/{id}`, or undefined for every party. */
	subjectFilter?: string;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/i;

export function readSettings(ctx: IHookFunctions | IWebhookFunctions): EventsTriggerSettings {
	const org = String(ctx.getNodeParameter('org', '')).trim();
	const fail = (message: string, description: string) => new NodeOperationError(ctx.getNode(), message, { description });
	// the polling trigger's App picker (a locator), or the plain string of a workflow saved before it
	let app: string;
	try {
		app = appFromLocator(ctx.getNodeParameter('app', ''));
	} catch (error) {
		const hint = error instanceof InputError ? (error.hint ?? '') : 'Pick the app from the list, or give its name, e.g. my-app.';
		throw fail((error as Error).message, hint);
	}
	if (!NAME.test(org)) throw fail(`Org "${org}" is not a service owner code`, 'Enter the org code of the app, e.g. ttd (letters, digits and hyphens).');

	const typeChoice = String(ctx.getNodeParameter('typeFilter', ''));
	const typeFilter = typeChoice === 'custom' ? String(ctx.getNodeParameter('customType', '')).trim() : typeChoice;
	if (typeChoice === 'custom' && !typeFilter) throw fail('Custom Event Type is empty', 'Enter the exact event type, or pick one of the listed types.');

	const partyId = String(ctx.getNodeParameter('partyId', '')).trim();
	if (partyId && !/^\d+$/.test(partyId)) throw fail(`Party ID "${partyId}" is not a number`, 'Enter the numeric party ID (as in /party/50001001), or leave it empty for every party.');

	const options = ctx.getNodeParameter('options', {}) as { dataTypes?: string; binaryPrefix?: string };
	return {
		org,
		app,
		resourceFilter: `urn:altinn:resource:app_${org}_${app}`,
		typeFilter: typeFilter || undefined,
		subjectFilter: partyId ? `/party/${partyId}` : undefined,
		fetchInstance: ctx.getNodeParameter('fetchInstance', false) as boolean,
		downloadData: ctx.getNodeParameter('downloadData', false) as boolean,
		dataTypes: (options.dataTypes ?? '').split(',').map((t) => t.trim()).filter(Boolean),
		binaryPrefix: options.binaryPrefix || 'file_',
	};
}
