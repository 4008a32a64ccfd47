/**
 * The trigger's parameters, read and validated once per poll. Org and App get the same checks as
 * in the Altinn node (`orgCode`, `appName`), so "TTD" means ttd instead of silently matching nothing.
 */
import type { IDataObject, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { appName, InputError, orgCode } from '../Altinn/shared/validation';
import { toUtcIso } from '../Altinn/shared/dates';
import { type SourceName, type StartFrom } from './cursor';
import {
	DEFAULT_MAX_DELIVERIES,
	DEFAULT_MAX_ITEMS,
	DEFAULT_REDELIVER_MINUTES,
	DEFAULT_SETTLE_SECONDS,
} from './description';
import type { EventTypeChoice } from './records';

export interface TriggerSettings {
	source: SourceName;
	org: string;
	app: string;
	eventTypes: EventTypeChoice[];
	taskId: string;
	filters: { currentTask?: string; notConfirmed?: boolean; onlyCompleted?: boolean };
	startFrom: StartFrom;
	startTime?: string;
	fetchInstance: boolean;
	downloadData: boolean;
	dataTypes: string[];
	binaryPrefix: string;
	maxItems: number;
	/** Instance changes younger than this (on Altinn's clock) wait for the next poll (see `instanceSource`). */
	settleMs: number;
	/** "Not Yet Confirmed by Us": an emitted instance still unconfirmed this long after is emitted again. */
	redeliverMs: number;
	/** Deliveries of one instance before it is reported as given up. */
	maxDeliveries: number;
}

export const appIdOf = (s: Pick<TriggerSettings, 'org' | 'app'>) => `${s.org}/${s.app}`;

/** True when the trigger emits an instance again until the org confirms it (delivery.ts). */
export const redelivers = (s: TriggerSettings) => s.source === 'instanceChanges' && !!s.filters.notConfirmed;

/** A parameter error as n8n shows it: the message names the field, the description says what to do. */
function checked<T>(ctx: IPollFunctions, check: () => T): T {
	try {
		return check();
	} catch (error) {
		if (error instanceof InputError) throw new NodeOperationError(ctx.getNode(), error.message, { description: error.hint });
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
}

const positiveNumber = (value: unknown, fallback: number) => {
	const n = Number(value ?? fallback);
	return Number.isFinite(n) && n >= 0 ? n : fallback;
};

/** The node's parameters, validated. */
export function readSettings(ctx: IPollFunctions): TriggerSettings {
	const text = (name: string) => String(ctx.getNodeParameter(name, '') ?? '').trim();
	const source = ctx.getNodeParameter('source', 'instanceChanges') as SourceName;
	const org = checked(ctx, () => orgCode(text('org')));
	const app = checked(ctx, () => appName(text('app')));
	const startFrom = ctx.getNodeParameter('startFrom', 'now') as StartFrom;
	let startTime: string | undefined;
	try {
		// A time without a zone is read in the workflow's time zone, as the Altinn node reads it (shared/dates.ts).
		startTime = startFrom === 'time' ? toUtcIso(text('startTime'), 'Start Time', ctx.getTimezone()) : undefined;
	} catch {
		// not a date: reported just below
	}
	if (startFrom === 'time' && !startTime) {
		throw new NodeOperationError(ctx.getNode(), `Start Time "${text('startTime')}" is not a date and time`, {
			description: 'Give an ISO 8601 time such as 2024-05-01T00:00:00Z.',
		});
	}
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const maxItems = Math.floor(Number(options.maxItems ?? DEFAULT_MAX_ITEMS));
	const maxDeliveries = Math.floor(Number(options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES));
	return {
		source,
		org,
		app,
		eventTypes: source === 'appEvents' ? (ctx.getNodeParameter('eventTypes', ['completed']) as EventTypeChoice[]) : [],
		taskId: source === 'appEvents' ? text('taskId') : '',
		filters:
			source === 'instanceChanges'
				? {
						onlyCompleted: ctx.getNodeParameter('onlyCompleted', true) as boolean,
						notConfirmed: ctx.getNodeParameter('notConfirmed', true) as boolean,
						currentTask: text('currentTask'),
					}
				: {},
		startFrom,
		startTime,
		fetchInstance: ctx.getNodeParameter('fetchInstance', false) as boolean,
		downloadData: ctx.getNodeParameter('downloadData', false) as boolean,
		dataTypes: String(options.dataTypes ?? '')
			.split(',')
			.map((t) => t.trim())
			.filter(Boolean),
		binaryPrefix: String(options.binaryPrefix ?? 'data_'),
		maxItems: Number.isFinite(maxItems) && maxItems > 0 ? maxItems : DEFAULT_MAX_ITEMS,
		settleMs: positiveNumber(options.settleSeconds, DEFAULT_SETTLE_SECONDS) * 1000,
		redeliverMs: positiveNumber(options.redeliverMinutes, DEFAULT_REDELIVER_MINUTES) * 60_000,
		maxDeliveries: Number.isFinite(maxDeliveries) && maxDeliveries > 0 ? maxDeliveries : DEFAULT_MAX_DELIVERIES,
	};
}
