/**
 * What Altinn returns (CloudEvents from Events, Instance JSON from Storage) turned into the
 * trigger's output: one flat, predictable JSON object per event or instance change.
 */
import type { IDataObject } from 'n8n-workflow';

import { findInstanceRef, type InstanceRef } from '../Altinn/shared/validation';

export interface AppEvent {
	id: string;
	time?: string;
	type: string;
	source?: string;
	subject?: string;
	alternativesubject?: string;
	resourceinstance?: string;
	[key: string]: unknown;
}

export interface StorageInstance {
	id: string;
	lastChanged: string;
	appId?: string;
	org?: string;
	instanceOwner?: IDataObject;
	[key: string]: unknown;
}

export const EVENT_TYPES = {
	created: 'app.instance.created',
	movedTo: 'app.instance.process.movedTo.',
	completed: 'app.instance.process.completed',
	substatusChanged: 'app.instance.substatus.changed',
} as const;

export type EventTypeChoice = keyof typeof EVENT_TYPES | 'any';

export interface EventFilter {
	/** Exact types to ask Events for (`type=`), or undefined to ask for all and filter here. */
	serverTypes?: string[];
	/** Whether an event's type is wanted. */
	matches(type: string): boolean;
}

/**
 * The event filter for the user's choice. "Moved to a task" without a task id matches every
 * `app.instance.process.movedTo.*` type, which Events cannot filter on, so then all events are
 * fetched and filtered here (the cursor still moves past the others).
 */
export function eventFilter(choices: EventTypeChoice[], taskId = ''): EventFilter {
	if (choices.length === 0 || choices.includes('any')) return { matches: () => true };
	const exact: string[] = [];
	let anyTask = false;
	for (const choice of choices) {
		if (choice === 'any') continue;
		if (choice === 'movedTo') {
			if (taskId.trim()) exact.push(`${EVENT_TYPES.movedTo}${taskId.trim()}`);
			else anyTask = true;
		} else exact.push(EVENT_TYPES[choice]);
	}
	const wanted = new Set(exact);
	const matches = (type: string) => wanted.has(type) || (anyTask && type.startsWith(EVENT_TYPES.movedTo));
	return anyTask ? { matches } : { serverTypes: exact, matches };
}

/** `partyId/instanceGuid` out of an event's `source` URL (…/{org}/{app}/instances/{partyId}/{guid}) or `resourceinstance`. */
export function instanceRefFromEvent(event: AppEvent, fallback: { org: string; app: string }): (InstanceRef & { org: string; app: string }) | undefined {
	const ref = findInstanceRef(event.source) ?? findInstanceRef(event.resourceinstance);
	return ref ? { ...ref, org: ref.org ?? fallback.org, app: ref.app ?? fallback.app } : undefined;
}

export interface Links {
	storage: (partyId: string, instanceGuid: string) => string;
	app: (org: string, app: string, partyId: string, instanceGuid: string) => string;
}

const partyFromSubject = (subject?: string) => /^\/party\/(\d+)$/.exec(subject ?? '')?.[1];

/** The output of one app event. */
export function eventItem(event: AppEvent, appId: string, links: Links): IDataObject {
	const [org, app] = appId.split('/');
	const ref = instanceRefFromEvent(event, { org, app });
	const partyId = ref?.partyId ?? partyFromSubject(event.subject);
	return {
		source: 'appEvents',
		eventId: event.id,
		eventType: event.type,
		eventTime: event.time ?? null,
		org: ref?.org ?? org,
		app: ref?.app ?? app,
		appId: ref ? `${ref.org}/${ref.app}` : appId,
		instanceId: ref ? `${ref.partyId}/${ref.instanceGuid}` : null,
		partyId: partyId ?? null,
		instanceGuid: ref?.instanceGuid ?? null,
		party: {
			partyId: partyId ?? null,
			subject: event.subject ?? null,
			alternativeSubject: event.alternativesubject ?? null,
		},
		links: ref
			? {
					storage: links.storage(ref.partyId, ref.instanceGuid),
					app: links.app(ref.org, ref.app, ref.partyId, ref.instanceGuid),
				}
			: { storage: null, app: event.source ?? null },
		event: event as unknown as IDataObject,
	};
}

/** The output of one instance change. */
export function instanceItem(instance: StorageInstance, links: Links): IDataObject {
	const [partyId, instanceGuid] = instance.id.split('/');
	const appId = instance.appId ?? '';
	const [org, app] = appId.split('/');
	const process = (instance.process ?? {}) as IDataObject;
	const status = (instance.status ?? {}) as IDataObject;
	const selfLinks = (instance.selfLinks ?? {}) as IDataObject;
	return {
		source: 'instanceChanges',
		eventType: 'instance.changed',
		eventTime: instance.lastChanged,
		org: instance.org ?? org,
		app,
		appId,
		instanceId: instance.id,
		partyId,
		instanceGuid,
		party: instance.instanceOwner ?? { partyId },
		lastChanged: instance.lastChanged,
		lastChangedBy: instance.lastChangedBy ?? null,
		currentTask: ((process.currentTask as IDataObject | undefined)?.elementId as string | undefined) ?? null,
		processEnded: process.ended ?? null,
		substatus: status.substatus ?? null,
		links: {
			storage: (selfLinks.platform as string | undefined) ?? links.storage(partyId, instanceGuid),
			app: (selfLinks.apps as string | undefined) ?? links.app(org, app, partyId, instanceGuid),
		},
	};
}
