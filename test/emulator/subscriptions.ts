/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports */
/**
 * Emulated Altinn Events subscriptions with push (webhooks), read from Altinn/altinn-events at
 * commit d7232ac:
 *   - src/Events/Controllers/SubscriptionController.cs   the routes and their first checks
 *   - src/Events/Services/AppSubscriptionService.cs      app subscriptions (subject, consumer)
 *   - src/Events/Services/SubscriptionService.cs         find-or-create, get/delete ownership, validation event
 *   - src/Events/Services/OutboundService.cs             matching events to subscriptions, authorization
 *   - src/Events/Services/WebhookService.cs              the POST to the endpoint (body = the CloudEvent)
 *   - src/Events/Wolverine/Policies/*.cs + appsettings.json  retry schedules, then the error queue
 *   - src/Events/Repository/SubscriptionRepositoryCachingDecorator.cs  the subscription cache
 *   - src/Events/Migration/FunctionsAndProcedures/{find,get}subscription*.sql  what matches
 *
 * Routes (counter `route.<name>`):
 *   events.subscriptions.create  POST   /events/api/v1/subscriptions
 *   events.subscriptions.list    GET    /events/api/v1/subscriptions
 *   events.subscriptions.get     GET    /events/api/v1/subscriptions/{id}
 *   events.subscriptions.delete  DELETE /events/api/v1/subscriptions/{id}
 *
 * Push: every app event the world publishes is matched against the (cached) validated
 * subscriptions and POSTed to their endpoints, retried on Altinn's schedule scaled by
 * `knobs.pushTimeScale`, then dead-lettered. Pushes go only to loopback addresses.
 * Counters: `push.attempts`, `push.delivered`, `push.failed`, `push.deadLettered`,
 * `validation.attempts`, `validation.ok`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { authenticate, type Caller } from './altinnAuth';
import type { EmulatorContext } from './context';
import { sendEmpty, sendJson, sendJsonString, type EmulatorRequest, type Router } from './http';
import type { CloudEvent } from './state';

/** AuthorizationConstants.cs */
const APP_RESOURCE_PREFIX = 'urn:altinn:resource:app_';
const SCOPE_EVENTS_SUBSCRIBE = 'altinn:events.subscribe';
/** SubscriptionService._validationType */
export const VALIDATION_EVENT_TYPE = 'platform.events.validatesubscription';

/** UriExtensions._urnPattern (case-sensitive: RegexOptions.None). */
const VALID_URN = /^urn:[a-z0-9-]{1,30}(:[a-z0-9()+,.\-;$_!/]{1,100}){1,10}$/;

/** appsettings.json OutboundQueuePolicy: cooldown [10 s], then 30 s … 12 h, 12 h: 12 attempts in all. */
export const PUSH_RETRY_DELAYS_MS = [10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 43_200_000];
/** appsettings.json ValidationQueuePolicy: cooldown [1, 5, 10 s], then 30, 60, 120, 120, 120 s: 9 attempts. */
export const VALIDATION_RETRY_DELAYS_MS = [1_000, 5_000, 10_000, 30_000, 60_000, 120_000, 120_000, 120_000];
/** EventsOutboundSettings.RequestTimeout (45 s). */
const REQUEST_TIMEOUT_MS = 45_000;

/** The Subscription model (Models/Subscription.cs), camelCase, nulls omitted (Program.cs JSON options). */
export interface Subscription {
	id: number;
	endPoint: string;
	sourceFilter?: string;
	resourceFilter: string;
	subjectFilter?: string;
	alternativeSubjectFilter?: string;
	typeFilter?: string;
	consumer: string;
	createdBy: string;
	created: string;
	validated: boolean;
	includeSubunits: boolean;
}

/** One POST to an endpoint, as the emulator saw it. */
export interface PushAttempt {
	subscriptionId: number;
	eventId: string;
	eventType: string;
	attempt: number;
	/** HTTP status, or 0 when the request failed (refused, reset, timeout). */
	status: number;
	at: number;
}

export interface DeadLetter {
	subscriptionId: number;
	event: CloudEvent | ValidationEvent;
	reason: string;
}

interface ValidationEvent {
	specversion: '1.0';
	id: string;
	source: string;
	type: typeof VALIDATION_EVENT_TYPE;
}

export interface SubscriptionRegistry {
	readonly subscriptions: Map<number, Subscription>;
	readonly attempts: PushAttempt[];
	readonly deadLetters: DeadLetter[];
	/** Resolves when every scheduled push and validation has finished (delivered or dead-lettered). */
	idle(): Promise<void>;
	/** Stops all scheduled retries (called by `close`). */
	stop(): void;
}

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';

export function registerSubscriptions(router: Router, ctx: EmulatorContext): SubscriptionRegistry {
	const subscriptions = new Map<number, Subscription>();
	const attempts: PushAttempt[] = [];
	const deadLetters: DeadLetter[] = [];
	const timers = new Set<NodeJS.Timeout>();
	let pending = 0;
	let idleWaiters: Array<() => void> = [];
	let nextId = 1;
	/** SubscriptionRepositoryCachingDecorator: lists per `resource|subject|type`, kept for `knobs.subscriptionCacheMs`. */
	const cache = new Map<string, { until: number; list: Subscription[] }>();

	const scaled = (ms: number) => Math.max(0, Math.round(ms * ctx.knobs.pushTimeScale));
	const settle = () => {
		pending--;
		if (pending === 0) {
			const waiters = idleWaiters;
			idleWaiters = [];
			for (const w of waiters) w();
		}
	};
	const later = (ms: number, fn: () => void) => {
		const t = setTimeout(() => {
			timers.delete(t);
			fn();
		}, scaled(ms));
		timers.add(t);
	};

	/** SubscriptionService.GetEntityFromPrincipal: `/org/{org}`, else `/organisation/{orgNumber}`. */
	const entityOf = (caller: Caller) =>
		caller.org ? `/org/${caller.org}` : caller.orgNumber ? `/organisation/${caller.orgNumber}` : undefined;

	// ---------- delivery ----------

	/** WebhookService.Send: POST the CloudEvent JSON; any 2xx is success, everything else throws. */
	function post(endpoint: string, body: string): Promise<number> {
		return new Promise((resolve) => {
			let url: URL;
			try {
				url = new URL(endpoint);
			} catch {
				resolve(0);
				return;
			}
			if (!isLoopback(url.hostname)) {
				// The emulator never sends anything off this machine.
				resolve(0);
				return;
			}
			const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
			const req = send(
				url,
				{
					method: 'POST',
					headers: {
						'Content-Type': 'application/json; charset=utf-8',
						'Content-Length': Buffer.byteLength(body),
						traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
					},
					timeout: REQUEST_TIMEOUT_MS,
				},
				(res) => {
					res.resume();
					res.on('end', () => resolve(res.statusCode ?? 0));
					res.on('error', () => resolve(0));
				},
			);
			req.on('timeout', () => req.destroy());
			req.on('error', () => resolve(0));
			req.end(body);
		});
	}

	/** Sends `event` for `sub`, retrying on `delays`; `onOk` runs after the first 2xx. */
	function deliver(sub: Subscription, event: CloudEvent | ValidationEvent, delays: number[], kind: 'push' | 'validation', onOk?: () => void) {
		pending++;
		const body = JSON.stringify(event);
		const attempt = async (n: number): Promise<void> => {
			// A deleted subscription still gets what was already queued for it (the queue holds envelopes).
			ctx.counters.inc(`${kind}.attempts`);
			const status = await post(sub.endPoint, body);
			attempts.push({ subscriptionId: sub.id, eventId: event.id, eventType: event.type, attempt: n, status, at: Date.now() });
			if (status >= 200 && status < 300) {
				ctx.counters.inc(kind === 'push' ? 'push.delivered' : 'validation.ok');
				onOk?.();
				settle();
				return;
			}
			ctx.counters.inc(`${kind}.failed`);
			if (n > delays.length) {
				// MoveToErrorQueue: Altinn gives up.
				deadLetters.push({ subscriptionId: sub.id, event, reason: status ? `HTTP ${status}` : 'no answer' });
				ctx.counters.inc(`${kind}.deadLettered`);
				settle();
				return;
			}
			later(delays[n - 1], () => void attempt(n + 1));
		};
		void attempt(1);
	}

	/** SubscriptionService.CreateValidateEvent + SendAndValidate: any 2xx marks the subscription valid. */
	function validate(sub: Subscription) {
		const event: ValidationEvent = {
			specversion: '1.0',
			id: randomUUID(),
			source: `${ctx.urls.platform}/events/api/v1/subscriptions/${sub.id}`,
			type: VALIDATION_EVENT_TYPE,
		};
		deliver(sub, event, VALIDATION_RETRY_DELAYS_MS, 'validation', () => {
			const current = subscriptions.get(sub.id);
			if (current) current.validated = true;
		});
	}

	/** getsubscriptions_v2: same resource, subject/type filter null or equal, validated only; cached. */
	function matching(event: CloudEvent): Subscription[] {
		const key = `${event.resource}|${event.subject}|${event.type}`;
		const now = Date.now();
		const hit = cache.get(key);
		if (hit && hit.until > now) return hit.list;
		const list = [...subscriptions.values()].filter(
			(s) =>
				s.resourceFilter === event.resource &&
				(!s.subjectFilter || s.subjectFilter === event.subject) &&
				(!s.typeFilter || s.typeFilter === event.type) &&
				s.validated,
		);
		if (ctx.knobs.subscriptionCacheMs > 0) cache.set(key, { until: now + ctx.knobs.subscriptionCacheMs, list: list.map((s) => ({ ...s })) });
		return list;
	}

	/** OutboundService.PostOutbound: source filter, then the consumer's `read` on the app (AuthorizeAndPush). */
	function onEvent(appId: string, event: CloudEvent) {
		for (const sub of matching(event)) {
			if (sub.sourceFilter && !event.source.startsWith(sub.sourceFilter)) continue;
			const org = sub.consumer.startsWith('/org/') ? sub.consumer.slice('/org/'.length) : undefined;
			if (!ctx.world.orgMay(ctx.world.applications.get(appId), 'read', org)) {
				ctx.counters.inc('push.unauthorized');
				continue;
			}
			deliver(sub, event, PUSH_RETRY_DELAYS_MS, 'push');
		}
	}
	ctx.world.eventListeners.push(onEvent);

	// ---------- routes ----------

	/** `Get(int id)`: a non-integer id fails model binding (400 ValidationProblem). */
	function idFrom(req: EmulatorRequest, res: ServerResponse): number | undefined {
		const raw = req.params.id;
		if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
			sendJson(
				res,
				400,
				{
					type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
					title: 'One or more validation errors occurred.',
					status: 400,
					errors: { id: [`The value '${raw}' is not valid.`] },
				},
				{ 'Content-Type': 'application/problem+json; charset=utf-8' },
			);
			return undefined;
		}
		return Number(raw);
	}

	/** SubscriptionService.GetSubscription: 404 when missing, then 403 unless the caller created it. Empty bodies. */
	function owned(caller: Caller, id: number, res: ServerResponse): Subscription | undefined {
		const sub = subscriptions.get(id);
		if (!sub) {
			sendEmpty(res, 404);
			return undefined;
		}
		if (sub.createdBy !== entityOf(caller)) {
			sendEmpty(res, 403);
			return undefined;
		}
		return sub;
	}

	router.add('POST', '/events/api/v1/subscriptions', 'events.subscriptions.create', async (req, res) => {
		const caller = await authenticate(req, res, ctx);
		if (!caller) return;
		const contentType = String(req.headers['content-type'] ?? '');
		if (!/^application\/json/i.test(contentType)) {
			req.raw.resume();
			return sendEmpty(res, 415); // [Consumes("application/json")]
		}
		let body: Record<string, unknown>;
		try {
			body = JSON.parse((await req.body()).toString('utf8') || 'null') as Record<string, unknown>;
		} catch {
			body = null as unknown as Record<string, unknown>;
		}
		if (!body || typeof body !== 'object') {
			return sendJson(res, 400, { title: 'One or more validation errors occurred.', status: 400, errors: { subscriptionRequest: ['The subscriptionRequest field is required.'] } }, { 'Content-Type': 'application/problem+json; charset=utf-8' });
		}
		const str = (k: string) => (typeof body[k] === 'string' && body[k] !== '' ? (body[k] as string) : undefined);
		const isHttpsUri = (v: string | undefined) => {
			if (!v) return false;
			try {
				const u = new URL(v);
				return u.protocol === 'https:' || (ctx.knobs.allowHttpEndpoints && u.protocol === 'http:' && isLoopback(u.hostname));
			} catch {
				return false;
			}
		};
		const endPoint = str('endPoint');
		const sourceFilter = str('sourceFilter');
		let resourceFilter = str('resourceFilter');
		const subjectFilter = str('subjectFilter');
		const typeFilter = str('typeFilter');
		const alternativeSubjectFilter = str('alternativeSubjectFilter');
		const includeSubunits = body.includeSubunits === true;

		// SubscriptionController.Post, in its order.
		if (!isHttpsUri(endPoint)) return sendJsonString(res, 400, 'Missing or invalid endpoint to push events towards');
		if (sourceFilter !== undefined && !isHttpsUri(sourceFilter)) return sendJsonString(res, 400, 'SourceFilter must be an absolute URL with the https scheme.');
		const sourceIsApp = sourceFilter !== undefined && new URL(sourceFilter).hostname.endsWith(new URL(ctx.urls.apps).hostname);
		const isApp = (resourceFilter?.toLowerCase().startsWith(APP_RESOURCE_PREFIX) ?? false) || sourceIsApp;
		// Only non-app subscriptions need altinn:events.subscribe (the docs say every subscription does).
		if (!isApp && !caller.scopes.includes(SCOPE_EVENTS_SUBSCRIBE)) return sendEmpty(res, 403);
		if (resourceFilter !== undefined && !VALID_URN.test(resourceFilter)) {
			return sendJsonString(res, 400, 'Resource filter must be a valid urn');
		}
		if (!isApp) {
			// Generic (non-app) resources are outside what this emulator models: the PDP denies.
			return sendJsonString(res, 403, `Not authorized to create a subscription for resource ${resourceFilter}.`);
		}

		// AppSubscriptionService.CreateSubscription / ValidateSubscription.
		const consumer = entityOf(caller);
		if (!subjectFilter && !caller.org) return sendJsonString(res, 400, 'A valid subject to the authenticated identity is required');
		if (alternativeSubjectFilter && !subjectFilter) return sendJsonString(res, 400, 'A valid subject to the authenticated identity is required'); // (inferred) no Register lookup is emulated
		if (includeSubunits && !subjectFilter) return sendJsonString(res, 400, 'IncludeSubunits requires a subject filter.');
		if (!consumer) return sendJsonString(res, 400, 'Missing event consumer');
		let sourcePath: string[] | undefined;
		if (sourceFilter) {
			sourcePath = new URL(sourceFilter).pathname.split('/');
			if (sourcePath.length !== 3) return sendJsonString(res, 400, 'A valid app id is required in source filter {environment}/{org}/{app}');
			if (resourceFilter && `${APP_RESOURCE_PREFIX}${sourcePath[1]}_${sourcePath[2]}` !== resourceFilter) {
				return sendJsonString(res, 400, 'Provided resource filter and source filter are not compatible');
			}
		}
		resourceFilter ??= `${APP_RESOURCE_PREFIX}${sourcePath![1]}_${sourcePath![2]}`;

		// SubscriptionService.CompleteSubscriptionCreation: the consumer needs `read` on the app.
		const appId = appIdOfResource(resourceFilter);
		if (!appId || !ctx.world.orgMay(ctx.world.applications.get(appId), 'read', caller.org)) {
			return sendJsonString(res, 403, `Not authorized to create a subscription for resource ${resourceFilter}.`);
		}

		// find_subscription: an identical subscription is returned again (and validated again).
		let sub = [...subscriptions.values()].find(
			(s) =>
				s.resourceFilter === resourceFilter &&
				s.sourceFilter === sourceFilter &&
				s.subjectFilter === subjectFilter &&
				s.typeFilter === typeFilter &&
				s.consumer === consumer &&
				s.endPoint === endPoint &&
				s.includeSubunits === includeSubunits,
		);
		if (!sub) {
			sub = {
				id: nextId++,
				endPoint: endPoint!,
				...(sourceFilter ? { sourceFilter } : {}),
				resourceFilter,
				...(subjectFilter ? { subjectFilter } : {}),
				...(alternativeSubjectFilter ? { alternativeSubjectFilter } : {}),
				...(typeFilter ? { typeFilter } : {}),
				consumer,
				createdBy: consumer,
				created: new Date(ctx.world.now()).toISOString(),
				validated: false,
				includeSubunits,
			};
			subscriptions.set(sub.id, sub);
		}
		validate(sub);
		sendJson(res, 201, sub, { Location: `/events/api/v1/subscription/${sub.id}` });
	});

	router.add('GET', '/events/api/v1/subscriptions', 'events.subscriptions.list', async (req, res) => {
		const caller = await authenticate(req, res, ctx);
		if (!caller) return;
		// GetSubscriptionsByConsumer(consumer, includeInvalid: true)
		const mine = [...subscriptions.values()].filter((s) => s.consumer === entityOf(caller));
		sendJson(res, 200, { count: mine.length, subscriptions: mine });
	});

	router.add('GET', '/events/api/v1/subscriptions/:id', 'events.subscriptions.get', async (req, res) => {
		const caller = await authenticate(req, res, ctx);
		if (!caller) return;
		const id = idFrom(req, res);
		if (id === undefined) return;
		const sub = owned(caller, id, res);
		if (sub) sendJson(res, 200, sub);
	});

	router.add('DELETE', '/events/api/v1/subscriptions/:id', 'events.subscriptions.delete', async (req, res) => {
		const caller = await authenticate(req, res, ctx);
		if (!caller) return;
		const id = idFrom(req, res);
		if (id === undefined) return;
		if (!owned(caller, id, res)) return;
		subscriptions.delete(id);
		// The cached lists keep it until they expire (SubscriptionRepositoryCachingDecorator).
		sendEmpty(res, 200);
	});

	return {
		subscriptions,
		attempts,
		deadLetters,
		idle: () => (pending === 0 ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r))),
		stop: () => {
			for (const t of timers) clearTimeout(t);
			timers.clear();
		},
	};
}

/** `urn:altinn:resource:app_{org}_{app}` → `org/app` (org codes have no underscore). */
function appIdOfResource(resource: string): string | undefined {
	const rest = resource.slice(APP_RESOURCE_PREFIX.length);
	const cut = rest.indexOf('_');
	return cut > 0 ? `${rest.slice(0, cut)}/${rest.slice(cut + 1)}` : undefined;
}
