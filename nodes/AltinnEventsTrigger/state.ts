/**
 * What the trigger keeps in the workflow's static data (saved by n8n after activation and after
 * each delivery): its subscription, the secret in its URL, and the ids of events already emitted.
 */
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

export interface SubscriptionState {
	subscriptionId?: number;
	/** The unguessable last path segment of the endpoint Altinn pushes to. */
	secret?: string;
	/** The endpoint as registered, to tell whether a stored subscription still fits this node. */
	endPoint?: string;
	/** Ids of emitted events, newest last (Altinn retries a delivery up to 12 times). */
	seen?: string[];
}

/** How many event ids are remembered; older ones are dropped first. */
const SEEN_LIMIT = 2000;

export function stateOf(ctx: IHookFunctions | IWebhookFunctions): SubscriptionState & IDataObject {
	return ctx.getWorkflowStaticData('node') as SubscriptionState & IDataObject;
}

export function forgetSubscription(state: SubscriptionState & IDataObject): void {
	delete state.subscriptionId;
	delete state.secret;
	delete state.endPoint;
	delete state.seen;
}

/**
 * Event ids emitted in this process, per subscription. n8n loads static data from the database for
 * every request and saves it afterwards, so two deliveries running at once can each save a list
 * without the other's id; this in-memory set covers that window.
 */
const emittedHere = new Map<string, Set<string>>();

export function alreadyEmitted(state: SubscriptionState, key: string, eventId: string): boolean {
	return (state.seen ?? []).includes(eventId) || (emittedHere.get(key)?.has(eventId) ?? false);
}

export function rememberEmitted(state: SubscriptionState, key: string, eventId: string): void {
	const seen = [...(state.seen ?? []), eventId];
	state.seen = seen.slice(-SEEN_LIMIT);
	const here = emittedHere.get(key) ?? new Set<string>();
	here.add(eventId);
	if (here.size > SEEN_LIMIT) here.delete(here.values().next().value as string);
	emittedHere.set(key, here);
}
