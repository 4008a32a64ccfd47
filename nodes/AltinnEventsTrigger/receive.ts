/**
 * One push from Altinn Events: check that it is for our subscription, answer the validation
 * handshake, drop repeats, and turn the CloudEvent into the output item.
 *
 * Real behaviour (Altinn/altinn-events d7232ac): WebhookService.Send POSTs only the CloudEvent (no
 * subscription id, no signature), and any 2xx counts as delivered; SubscriptionService.CreateValidateEvent
 * sends type `platform.events.validatesubscription` with source `{events api}/subscriptions/{id}`;
 * OutboundEventHandlerPolicy retries a failed push up to 11 times, so the same event id can come again.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { altinnTriggerApi } from '../AltinnTrigger/altinnApi';
import { ItemFinisher } from '../AltinnTrigger/finisher';
import type { AppEvent } from '../AltinnTrigger/records';
import type { EventsTriggerSettings } from './settings';
import { alreadyEmitted, rememberEmitted, stateOf } from './state';
import { SECRET_PARAM } from './subscription';

const VALIDATION_TYPE = 'platform.events.validatesubscription';

const sameSecret = (a: string, b: string) => {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
};

function answer(ctx: IWebhookFunctions, status: number): IWebhookResponseData {
	const res = ctx.getResponseObject();
	res.status(status).end();
	return { noWebhookResponse: true };
}

/** Whether a CloudEvent is one our subscription's filters let through (what Altinn would send us). */
function matches(event: AppEvent, s: EventsTriggerSettings): boolean {
	return (
		(event as IDataObject).resource === s.resourceFilter &&
		(!s.typeFilter || event.type === s.typeFilter) &&
		(!s.subjectFilter || event.subject === s.subjectFilter)
	);
}

export async function receive(ctx: IWebhookFunctions, s: EventsTriggerSettings): Promise<IWebhookResponseData> {
	const state = stateOf(ctx);
	const secret = String((ctx.getParamsData() as IDataObject)[SECRET_PARAM] ?? '');
	const body = ctx.getBodyData() as unknown as AppEvent & IDataObject;
	const isEvent = typeof body?.id === 'string' && typeof body?.type === 'string';

	if (!state.secret || state.subscriptionId === undefined) {
		// n8n saves the subscription to static data only when activation has finished, and Altinn may
		// send the handshake before that. 503 makes Altinn try again a second later. (inferred)
		return answer(ctx, isEvent && body.type === VALIDATION_TYPE ? 503 : 403);
	}
	if (!sameSecret(secret, state.secret) || !isEvent) return answer(ctx, 403);

	if (body.type === VALIDATION_TYPE) {
		const ours = String(body.source ?? '').endsWith(`/subscriptions/${state.subscriptionId}`);
		return ours ? { webhookResponse: '' } : answer(ctx, 403);
	}
	// Anything Altinn sends on this subscription matches its filters; anything else is not from it.
	if (!matches(body, s)) return answer(ctx, 403);

	const key = `${ctx.getWorkflow().id ?? ''}/${ctx.getNode().id}/${state.subscriptionId}`;
	if (alreadyEmitted(state, key, body.id)) return { webhookResponse: '' };

	const item = await finish(ctx, s, body);
	rememberEmitted(state, key, body.id);
	return { workflowData: [[item]] };
}

/** The CloudEvent as the item; with the instance and its files when asked for. */
async function finish(ctx: IWebhookFunctions, s: EventsTriggerSettings, event: AppEvent & IDataObject) {
	if (!s.fetchInstance && !s.downloadData) return { json: { ...event } };
	const finisher = new ItemFinisher(ctx, await altinnTriggerApi(ctx), s);
	const enriched = await finisher.event(event);
	const { instance, instanceGone, dataElements } = enriched.json;
	const json: IDataObject = { ...event };
	if (s.fetchInstance || instanceGone) json.instance = instance ?? null;
	if (instanceGone) json.instanceGone = true;
	if (dataElements) json.dataElements = dataElements;
	return enriched.binary ? { json, binary: enriched.binary } : { json };
}
