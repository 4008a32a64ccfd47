/**
 * The Events subscription behind the trigger: created on activation, looked up again after a
 * restart, deleted on deactivation. All calls go through the Altinn node's transport.
 *
 * Real behaviour (Altinn/altinn-events d7232ac, Controllers/SubscriptionController.cs and
 * Services/SubscriptionService.cs): POST answers 201 with the subscription; GET and DELETE of
 * `/subscriptions/{id}` answer 404 when it is gone and 403 when another identity created it.
 */
import { randomBytes } from 'node:crypto';
import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { altinnRequest, resolveAltinnUrls } from '../Altinn/transport';
import { statusOf } from '../AltinnTrigger/api';
import { asNodeError } from '../AltinnTrigger/problems';
import type { EventsTriggerSettings } from './settings';
import { forgetSubscription, stateOf } from './state';

/** The path parameter of the webhook; replaced by the secret in the URL given to Altinn. */
export const SECRET_PARAM = 'secret';

/** The production URL with the secret as its last segment (n8n gives it with `:secret` in place). */
function endpointFor(ctx: IHookFunctions, secret: string): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(ctx.getNode(), 'n8n gave no webhook URL for this trigger');
	return url.replace(`:${SECRET_PARAM}`, secret);
}

const subscriptionUrl = async (ctx: IHookFunctions, id?: number) =>
	`${(await resolveAltinnUrls.call(ctx)).events}/subscriptions${id === undefined ? '' : `/${id}`}`;

/** True when Altinn still has our subscription with the same endpoint and filters. */
export async function subscriptionExists(ctx: IHookFunctions, s: EventsTriggerSettings): Promise<boolean> {
	const state = stateOf(ctx);
	if (state.subscriptionId === undefined || !state.secret) return false;
	let found: IDataObject;
	try {
		found = (await altinnRequest.call(ctx, {
			method: 'GET',
			url: await subscriptionUrl(ctx, state.subscriptionId),
			retry: 'safe',
			target: `subscription ${state.subscriptionId}`,
		})) as IDataObject;
	} catch (error) {
		// 404: deleted in Altinn; 403: made by another org (the credential changed). Either way, make a new one.
		const status = statusOf(error);
		if (status === 404 || status === 403) {
			forgetSubscription(state);
			return false;
		}
		throw asNodeError(ctx, error);
	}
	const fits =
		found.endPoint === endpointFor(ctx, state.secret) &&
		found.resourceFilter === s.resourceFilter &&
		(found.typeFilter ?? undefined) === s.typeFilter &&
		(found.subjectFilter ?? undefined) === s.subjectFilter;
	if (!fits) await deleteSubscription(ctx); // settings or URL changed: replace it
	return fits;
}

/** Creates the subscription with a fresh secret in its endpoint and remembers both. */
export async function createSubscription(ctx: IHookFunctions, s: EventsTriggerSettings): Promise<void> {
	const secret = randomBytes(24).toString('base64url');
	const endPoint = endpointFor(ctx, secret);
	const body: IDataObject = { endPoint, resourceFilter: s.resourceFilter };
	if (s.typeFilter) body.typeFilter = s.typeFilter;
	if (s.subjectFilter) body.subjectFilter = s.subjectFilter;
	let created: IDataObject;
	try {
		created = (await altinnRequest.call(ctx, {
			method: 'POST',
			url: await subscriptionUrl(ctx),
			body,
			retry: 'safe', // an identical POST returns the existing subscription (find_subscription)
			target: `an events subscription for ${s.org}/${s.app}`,
			action: 'read',
		})) as IDataObject;
	} catch (error) {
		if (statusOf(error) === 400 && !endPoint.startsWith('https://')) {
			throw new NodeOperationError(ctx.getNode(), 'Altinn pushes events only to https URLs', {
				description: `This workflow's production webhook URL is ${endPoint.replace(secret, '…')}. Run n8n behind a public HTTPS address with a trusted certificate and set WEBHOOK_URL to it.`,
			});
		}
		throw asNodeError(ctx, error);
	}
	const id = Number(created.id);
	if (!Number.isInteger(id)) throw new NodeOperationError(ctx.getNode(), 'Altinn created the subscription but returned no id');
	const state = stateOf(ctx);
	forgetSubscription(state);
	Object.assign(state, { subscriptionId: id, secret, endPoint });
}

/** Deletes our subscription; one that is already gone counts as deleted. */
export async function deleteSubscription(ctx: IHookFunctions): Promise<void> {
	const state = stateOf(ctx);
	if (state.subscriptionId !== undefined) {
		try {
			await altinnRequest.call(ctx, {
				method: 'DELETE',
				url: await subscriptionUrl(ctx, state.subscriptionId),
				retry: 'safe',
				target: `subscription ${state.subscriptionId}`,
			});
		} catch (error) {
			if (statusOf(error) !== 404) throw asNodeError(ctx, error);
		}
	}
	forgetSubscription(state);
}
