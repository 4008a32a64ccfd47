/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Emulated Altinn Storage (`/storage/api/v1`), after altinn-storage's InstancesController,
 * DataController, InstanceEventsController, ProcessController and ApplicationsController.
 * Plain-string errors are JSON-quoted strings; unhandled errors are ProblemDetails 500;
 * 401 and policy 403s have empty bodies.
 *
 * Routes (counter `route.<name>`):
 *   storage.instances.query           GET    /instances   (header X-Ai-InstanceOwnerIdentifier too)
 *   storage.instance.get              GET    /instances/{p}/{g}
 *   storage.instance.getByGuid        GET    /instances/{g}
 *   storage.instance.delete           DELETE /instances/{p}/{g}?hard=
 *   storage.instance.complete         POST   /instances/{p}/{g}/complete
 *   storage.instance.readstatus       PUT    /instances/{p}/{g}/readstatus?status=
 *   storage.instance.substatus        PUT    /instances/{p}/{g}/substatus
 *   storage.instance.presentationtexts PUT   /instances/{p}/{g}/presentationtexts
 *   storage.instance.datavalues       PUT    /instances/{p}/{g}/datavalues
 *   storage.dataelements.list         GET    /instances/{p}/{g}/dataelements
 *   storage.dataelement.update        PUT    /instances/{p}/{g}/dataelements/{d}   (locked, refs, tags, metadata …)
 *   storage.data.get                  GET    /instances/{p}/{g}/data/{d}
 *   storage.data.create               POST   /instances/{p}/{g}/data?dataType=
 *   storage.data.update               PUT    /instances/{p}/{g}/data/{d}
 *   storage.data.delete               DELETE /instances/{p}/{g}/data/{d}?delay=
 *   storage.instanceEvents.list       GET    /instances/{p}/{g}/events?eventTypes=&from=&to=
 *   storage.instanceEvents.get        GET    /instances/{p}/{g}/events/{eventGuid}
 *   storage.instanceEvents.create     POST   /instances/{p}/{g}/events
 *   storage.process.history           GET    /instances/{p}/{g}/process/history
 *   storage.applications.all          GET    /applications
 *   storage.applications.list         GET    /applications/{org}
 *   storage.application.get           GET    /applications/{org}/{app}
 */
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';

import { attachWorld, drain, forbid, headerValue, instanceByPolicy, instanceIdFromRoute, isGuid, queryBool } from './access';
import { authenticate, type Caller } from './altinnAuth';
import { openBlob, receiveBlob, type Blob, type TempFiles } from './blobs';
import type { EmulatorContext } from './context';
import { sendEmpty, sendJson, sendJsonString, type EmulatorRequest, type Handler, type Router } from './http';
import { boundaryOf, isMultipart, parseContentDisposition, parseMultipart } from './multipart';
import {
	actionForTask,
	continuationTokenOf,
	parseContinuationToken,
	toMicros,
	type DataElementJson,
	type InstanceJson,
	type InstanceRecord,
} from './state';

const BASE = '/storage/api/v1';
const INSTANCE = `${BASE}/instances/:partyId/:instanceGuid`;
export const INSTANCES_READ_SCOPE = 'altinn:serviceowner/instances.read';
/** Storage's RequestSizeLimit (2000 MB). */
export const STORAGE_SIZE_LIMIT = 2000 * 1024 * 1024;

/** ASP.NET Core's exception handler: `Problem()` as RFC 7807. */
export function sendServerProblem(res: ServerResponse, detail?: string): void {
	sendJson(
		res,
		500,
		{
			type: 'https://tools.ietf.org/html/rfc7231#section-6.6.1',
			title: 'An error occurred while processing your request.',
			status: 500,
			...(detail ? { detail } : {}),
			traceId: `00-${Math.random().toString(16).slice(2).padEnd(32, '0')}-01`,
		},
		{ 'Content-Type': 'application/problem+json; charset=utf-8' },
	);
}

const guarded =
	(handler: Handler): Handler =>
	async (req, res) => {
		try {
			await handler(req, res);
		} catch (error) {
			if (res.headersSent) res.destroy();
			else sendServerProblem(res, (error as Error).message);
		}
	};

async function jsonBody(req: EmulatorRequest): Promise<Record<string, unknown> | undefined> {
	const text = (await req.body()).toString('utf8');
	if (!text.trim()) return undefined;
	try {
		const parsed = JSON.parse(text) as unknown;
		return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

type Compare = (a: number | string, b: number | string) => boolean;
const OPS: Record<string, Compare> = {
	gt: (a, b) => a > b,
	gte: (a, b) => a >= b,
	lt: (a, b) => a < b,
	lte: (a, b) => a <= b,
	eq: (a, b) => a === b,
};

/** `op:value` date expressions; a timestamp without a zone is taken as UTC. */
function dateFilters(
	q: URLSearchParams,
	key: string,
	kind: 'timestamp' | 'micros' | 'text',
	pick: (i: InstanceJson, rec: InstanceRecord) => string | number | undefined,
): { error?: string; filters: Array<(rec: InstanceRecord) => boolean> } {
	// Repeated keys with the same op overwrite each other (one SQL parameter per op), as in Storage.
	const byOp = new Map<string, string | number>();
	for (const value of q.getAll(key)) {
		if (!value.includes(':')) return { error: `Invalid date expression: ${value} for query key: ${key}`, filters: [] };
		const op = value.split(':')[0];
		const date = value.slice(op.length + 1);
		if (!OPS[op]) continue; // unknown operators are silently ignored
		if (kind === 'text') byOp.set(op, date);
		else if (kind === 'micros') {
			// `lastchanged` is a timestamptz column: compared at microseconds, finer digits rounded.
			const withZone = /T.*(Z|[+-]\d\d:?\d\d)$/i.test(date) || !date.includes('T') ? date : `${date}Z`;
			const us = toMicros(withZone);
			if (us === undefined) return { error: `Invalid date expression: ${value} for query key: ${key}`, filters: [] };
			byOp.set(op, us);
		} else {
			const withZone = /T.*(Z|[+-]\d\d:?\d\d)$/i.test(date) || !date.includes('T') ? date : `${date}Z`;
			const ms = Date.parse(withZone);
			if (Number.isNaN(ms)) return { error: `Invalid date expression: ${value} for query key: ${key}`, filters: [] };
			byOp.set(op, ms);
		}
	}
	const filters = [...byOp].map(([op, v]) => (rec: InstanceRecord) => {
		const actual = pick(rec.instance, rec);
		return actual !== undefined && actual !== null && OPS[op](actual, v);
	});
	return { filters };
}

function presentInstance(instance: InstanceJson, includeData = true): InstanceJson {
	if (includeData) return instance;
	const rest = { ...instance };
	delete rest.data;
	return rest;
}

/** Reads an upload: raw body streamed to a blob, or the first section of a multipart body. */
export async function readUpload(
	req: EmulatorRequest,
	limitBytes: number,
	temp: TempFiles,
): Promise<{ blob?: Blob; size: number; tooLarge?: boolean; contentType?: string; filename?: string; hasDisposition: boolean }> {
	const contentType = headerValue(req, 'content-type');
	const boundary = isMultipart(contentType) ? boundaryOf(contentType) : undefined;
	if (boundary) {
		const first = parseMultipart(await req.body(), boundary)[0];
		if (!first) return { size: 0, hasDisposition: false };
		if (first.body.length > limitBytes) return { size: first.body.length, tooLarge: true, hasDisposition: true };
		return {
			blob: { kind: 'buffer', data: Buffer.from(first.body) },
			size: first.body.length,
			contentType: first.contentType,
			filename: first.filename,
			hasDisposition: !!first.contentDisposition,
		};
	}
	const disposition = headerValue(req, 'content-disposition');
	const declared = Number(headerValue(req, 'content-length') ?? NaN);
	if (declared > limitBytes) {
		await drain(req);
		return { size: declared, tooLarge: true, hasDisposition: !!disposition };
	}
	const got = await receiveBlob(req.raw, limitBytes, temp);
	if ('tooLarge' in got) return { size: got.size, tooLarge: true, hasDisposition: !!disposition };
	return { blob: got.blob, size: got.size, contentType, filename: parseContentDisposition(disposition).filename, hasDisposition: !!disposition };
}

/** Streams a data element with `File(stream, contentType, filename)` headers. */
export async function streamDataElement(res: ServerResponse, element: DataElementJson, blob: Blob): Promise<void> {
	const headers: Record<string, string | number> = {
		'Content-Type': element.contentType ?? 'application/octet-stream',
		'Content-Length': element.size ?? 0,
	};
	if (element.filename) {
		const name = String(element.filename);
		// As ASP.NET's SetHttpFileName: an ASCII fallback (non-ASCII as '_') plus the exact name in filename*.
		const ascii = name.replace(/[^\x20-\x7e]/g, '_');
		headers['Content-Disposition'] = `attachment; filename=${/[\s;,"]/.test(ascii) ? `"${ascii.replace(/"/g, '\\"')}"` : ascii}; filename*=UTF-8''${encodeURIComponent(name)}`;
	}
	res.writeHead(200, headers);
	await pipeline(openBlob(blob), res);
}

export function registerStorage(router: Router, ctx: EmulatorContext): void {
	attachWorld(ctx);
	const world = ctx.world;
	const add = (method: Parameters<Router['add']>[0], path: string, name: string, handler: Handler) =>
		router.add(method, path, name, guarded(handler));

	/** `[Authorize]` then the handler; undefined after a 401. */
	const auth = (req: EmulatorRequest, res: ServerResponse) => authenticate(req, res, ctx);

	// ---------- query ----------
	add('GET', `${BASE}/instances`, 'storage.instances.query', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const q = req.query;
		const appId = q.get('appId') || undefined;
		let org = q.get('org') || undefined;
		if (caller.org) {
			if (!caller.scopes.includes(INSTANCES_READ_SCOPE)) return sendEmpty(res, 403);
			if (!org && !appId) return sendJsonString(res, 400, 'Org or AppId must be defined.');
			org ??= appId?.split('/')[0];
			if (org !== caller.org) {
				if (!appId) return sendJsonString(res, 400, 'AppId must be defined.');
				if (!world.orgMay(world.applications.get(appId), 'read', caller.org)) return sendEmpty(res, 403);
			}
		} else {
			// End users and plain organisations: the emulator models no per-party rights.
			if (!q.get('instanceOwner.partyId')) return sendJsonString(res, 400, 'InstanceOwnerPartyId must be defined.');
			return sendEmpty(res, 403);
		}

		const filters: Array<(rec: InstanceRecord) => boolean> = [];
		filters.push((r) => r.instance.org === org);
		if (appId) filters.push((r) => r.instance.appId === appId);

		const bools: Array<[string, (i: InstanceJson) => boolean]> = [
			['process.isComplete', (i) => !!i.process?.ended],
			['status.isArchived', (i) => !!i.status?.isArchived],
			['status.isSoftDeleted', (i) => !!i.status?.isSoftDeleted],
			['status.isHardDeleted', (i) => !!i.status?.isHardDeleted],
		];
		for (const [key, get] of bools) {
			const v = queryBool(q.get(key));
			if (v === 'invalid') return sendJsonString(res, 400, `The value '${q.get(key)}' is not valid for ${key}.`);
			if (v !== undefined) filters.push((r) => get(r.instance) === v);
		}
		const confirmedBy = (i: InstanceJson, stakeholder: string) =>
			((i.completeConfirmations ?? []) as Array<{ stakeholderId: string }>).some((c) => c.stakeholderId === stakeholder);
		let confirmed = queryBool(q.get('confirmed'));
		if (confirmed === 'invalid') return sendJsonString(res, 400, `The value '${q.get('confirmed')}' is not valid for confirmed.`);
		const exclude = q.get('excludeConfirmedBy');
		if (exclude && exclude === org) confirmed = false;
		else if (exclude) filters.push((r) => !confirmedBy(r.instance, exclude));
		if (confirmed !== undefined) {
			const want = confirmed;
			filters.push((r) => confirmedBy(r.instance, caller.org as string) === want);
		}
		const task = q.get('process.currentTask');
		if (task) filters.push((r) => r.instance.process?.currentTask?.elementId === task);
		const owner = q.get('instanceOwner.partyId');
		if (owner) filters.push((r) => r.instance.instanceOwner.partyId === String(Number(owner)));
		const identifier = headerValue(req, 'x-ai-instanceowneridentifier');
		if (identifier) {
			if (owner) return sendJsonString(res, 400, 'Both InstanceOwner.PartyId and InstanceOwnerIdentifier cannot be present at the same time.');
			const m = /^(person|organisation):(\d+)$/i.exec(identifier.replace(/\s/g, ''));
			if (!m) return sendJsonString(res, 400, `Invalid InstanceOwnerIdentifier: ${identifier}`);
			const party = /^person$/i.test(m[1]) ? world.findParty({ ssn: m[2] }) : world.findParty({ orgNumber: m[2] });
			// An unknown party is no error: the list is just empty.
			filters.push((r) => !!party && r.instance.instanceOwner.partyId === String(party.partyId));
		}
		const search = q.get('searchString');
		if (search) {
			const needle = search.toLowerCase();
			filters.push((r) => JSON.stringify(r.instance.presentationTexts ?? {}).toLowerCase().includes(needle));
		}

		// dueBefore, visibleAfter and process.ended are compared as text: the query value is passed
		// on as given (altinn-storage d9364e40, InstanceQueryParameters.AddDateParamIfNotNull with
		// useStringValue) and compared with the stored JSON text (Migration/v0.33/02-functions-and-
		// procedures.sql: `i.instance ->> 'DueBefore' <= _dueBefore_lte`, TEXT parameters). Compared
		// here in code-unit order, which for these ASCII forms is the order Postgres gives (inferred).
		const dates: Array<[string, 'timestamp' | 'micros' | 'text', (i: InstanceJson, r: InstanceRecord) => string | number | undefined]> = [
			['created', 'timestamp', (i) => Date.parse(i.created)],
			['lastChanged', 'micros', (_i, r) => r.lastChangedUs],
			['dueBefore', 'text', (i) => i.dueBefore],
			['visibleAfter', 'text', (i) => i.visibleAfter],
			['process.ended', 'text', (i) => i.process?.ended],
		];
		for (const [key, kind, pick] of dates) {
			const parsed = dateFilters(q, key, kind, pick);
			if (parsed.error) return sendJsonString(res, 400, parsed.error);
			filters.push(...parsed.filters);
		}

		const sizeParam = q.get('size');
		const size = sizeParam ? Number(sizeParam) : 100;
		if (!Number.isInteger(size)) return sendJsonString(res, 400, `The value '${sizeParam}' is not valid for size.`);
		const ascending = !(q.get('order') ?? 'desc:lastChanged').startsWith('desc:');
		const tokenParam = q.get('continuationToken');
		let after: { us: number; internalId: number } | undefined;
		if (tokenParam) after = parseContinuationToken(decodeURIComponent(tokenParam)); // throws -> 500, like long.Parse

		// As storage.readinstancefromquery_v8 in altinn-storage d9364e40, Migration/v0.33/
		// 02-functions-and-procedures.sql: ORDER BY lastChanged ASC or DESC, then `i.id` ASCENDING
		// in both orders, but newest-first continues with `lastchanged = _lastChanged_idx AND
		// i.id < _continue_idx`. So newest-first paging repeats and skips instances that share a
		// lastChanged across a page boundary; oldest-first (id ASC, then `id >`) is consistent.
		const dir = ascending ? 1 : -1;
		const page = [...world.instances.values()]
			.filter((r) => filters.every((f) => f(r)))
			.filter(
				(r) =>
					!after ||
					(ascending
						? r.lastChangedUs > after.us || (r.lastChangedUs === after.us && r.internalId > after.internalId)
						: r.lastChangedUs < after.us || (r.lastChangedUs === after.us && r.internalId < after.internalId)),
			)
			.sort((a, b) => dir * (a.lastChangedUs - b.lastChangedUs) || a.internalId - b.internalId)
			.slice(0, Math.max(0, size));

		const includeData = queryBool(q.get('includeDataElements')) !== false;
		// `self` echoes the query string as sent; `next` is rebuilt with the token replaced.
		const rawQuery = (req.raw.url ?? '').split('?')[1] ?? '';
		const self = `${ctx.urls.platform}${BASE}/instances${rawQuery ? `?${rawQuery}` : ''}`;
		const body: Record<string, unknown> = { count: page.length, self };
		if (size > 0 && page.length === size) {
			const nextQuery = new URLSearchParams(q);
			nextQuery.set('continuationToken', continuationTokenOf(page[page.length - 1]));
			body.next = `${ctx.urls.platform}${BASE}/instances?${nextQuery.toString()}`;
		}
		body.instances = page.map((r) => presentInstance(r.instance, includeData));
		sendJson(res, 200, body);
	});

	// ---------- one instance ----------
	const getInstance = async (req: EmulatorRequest, res: ServerResponse, id: string | undefined, guid: string) => {
		const caller = await auth(req, res);
		if (!caller || !id) return;
		const rec = world.instance(id);
		if (!rec) return sendJsonString(res, 404, `Unable to find instance ${guid}`);
		if (!world.orgMay(world.applications.get(rec.instance.appId), 'read', caller.org)) return sendEmpty(res, 403);
		sendJson(res, 200, rec.instance);
	};
	add('GET', INSTANCE, 'storage.instance.get', async (req, res) => {
		const id = instanceIdFromRoute(req, res);
		if (id) await getInstance(req, res, id, req.params.instanceGuid);
	});
	add('GET', `${BASE}/instances/:instanceGuid`, 'storage.instance.getByGuid', async (req, res) => {
		const guid = req.params.instanceGuid;
		if (!isGuid(guid)) return sendEmpty(res, 404);
		const id = [...world.instances.keys()].find((k) => k.endsWith(`/${guid.toLowerCase()}`));
		await getInstance(req, res, id ?? `0/${guid}`, guid);
	});

	add('DELETE', INSTANCE, 'storage.instance.delete', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const rec = instanceByPolicy(ctx, req, res, caller, 'delete');
		if (!rec) return;
		const app = world.appOf(rec);
		const days = Number(app.preventInstanceDeletionForDays ?? 0);
		if (days > 0 && Date.parse(rec.instance.created) + days * 86400000 > world.now()) {
			return sendJsonString(res, 403, 'Instance cannot be deleted yet due to application restrictions.');
		}
		world.deleteInstance(rec, queryBool(req.query.get('hard')) === true, caller.actor);
		sendJson(res, 200, rec.instance);
	});

	add('POST', `${INSTANCE}/complete`, 'storage.instance.complete', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const rec = instanceByPolicy(ctx, req, res, caller, 'complete');
		if (!rec) return;
		req.raw.resume();
		world.confirmComplete(rec, caller.actor);
		sendJson(res, 200, rec.instance);
	});

	add('PUT', `${INSTANCE}/readstatus`, 'storage.instance.readstatus', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const rec = instanceByPolicy(ctx, req, res, caller, 'read');
		if (!rec) return;
		req.raw.resume();
		const wanted = req.query.get('status') ?? '';
		const status = ['Unread', 'Read', 'UpdatedSinceLastReview'].find((s) => s.toLowerCase() === wanted.toLowerCase());
		if (!status) {
			return sendJsonString(res, 400, `Invalid read status: ${wanted}. Accepted types include: Unread, Read, UpdatedSinceLastReview`);
		}
		rec.instance.status.readStatus = status;
		world.touch(rec, caller.actor, 'Saved');
		sendJson(res, 200, rec.instance);
	});

	/** `[Authorize]` endpoints that load the instance themselves: 404 when it does not exist. */
	const instanceOr404 = async (req: EmulatorRequest, res: ServerResponse): Promise<[Caller, InstanceRecord] | undefined> => {
		const caller = await auth(req, res);
		if (!caller) return undefined;
		const id = instanceIdFromRoute(req, res);
		if (!id) return undefined;
		const rec = world.instance(id);
		if (!rec) {
			req.raw.resume();
			sendJsonString(res, 404, `Didn't find the object that should be updated with instanceId ${id}`);
			return undefined;
		}
		return [caller, rec];
	};

	add('PUT', `${INSTANCE}/substatus`, 'storage.instance.substatus', async (req, res) => {
		const found = await instanceOr404(req, res);
		if (!found) return;
		const [caller, rec] = found;
		if (caller.org !== rec.instance.org) return forbid(req, res);
		const body = await jsonBody(req);
		if (!body || typeof body.label !== 'string' || !body.label) {
			return sendJsonString(res, 400, `Invalid sub status: ${JSON.stringify(body ?? null)}. Substatus must be defined and include a label.`);
		}
		world.setSubstatus(rec, { label: body.label, description: body.description as string | undefined }, caller.actor);
		sendJson(res, 200, rec.instance);
	});

	/** ProcessAuthorizer: the action the current task needs (write when there is none). */
	const mayUpdateByTask = (caller: Caller, rec: InstanceRecord) =>
		world.orgMay(world.appOf(rec), actionForTask(rec.instance.process?.currentTask?.altinnTaskType), caller.org);

	for (const [segment, key, name] of [
		['presentationtexts', 'texts', 'storage.instance.presentationtexts'],
		['datavalues', 'values', 'storage.instance.datavalues'],
	] as const) {
		add('PUT', `${INSTANCE}/${segment}`, name, async (req, res) => {
			const found = await instanceOr404(req, res);
			if (!found) return;
			const [caller, rec] = found;
			if (!mayUpdateByTask(caller, rec)) return forbid(req, res);
			const body = await jsonBody(req);
			const values = body?.[key];
			if (!values || typeof values !== 'object') return sendJsonString(res, 400, `Missing parameter value: ${key} is missing`);
			const target = key === 'texts' ? 'presentationTexts' : 'dataValues';
			const current = (rec.instance[target] ??= {}) as Record<string, string>;
			for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
				if (v === null || v === undefined || v === '') delete current[k];
				else current[k] = String(v);
			}
			world.touch(rec, caller.actor, 'Saved');
			sendJson(res, 200, rec.instance);
		});
	}

	// ---------- data ----------
	add('GET', `${INSTANCE}/dataelements`, 'storage.dataelements.list', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const rec = instanceByPolicy(ctx, req, res, caller, 'read');
		if (rec) sendJson(res, 200, { dataElements: rec.instance.data });
	});

	add('GET', `${INSTANCE}/data/:dataGuid`, 'storage.data.get', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const id = instanceIdFromRoute(req, res);
		if (!id) return;
		if (id.startsWith('0/')) return sendJsonString(res, 400, 'Missing parameter value: instanceOwnerPartyId can not be empty');
		const rec = world.instance(id);
		if (!rec) return sendJsonString(res, 404, `Unable to find any instance with id: ${id}.`);
		if (!world.orgMay(world.appOf(rec), 'read', caller.org)) return sendEmpty(res, 403);
		const element = world.dataElement(rec, req.params.dataGuid);
		const blob = element && world.blobs.get(element.id);
		if (!element || !blob) return sendJsonString(res, 404, `Unable to find any data element with id: ${req.params.dataGuid}.`);
		await streamDataElement(res, element, blob);
	});

	add('POST', `${INSTANCE}/data`, 'storage.data.create', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const rec = instanceByPolicy(ctx, req, res, caller, 'write');
		if (!rec) return;
		const dataType = req.query.get('dataType');
		if (!dataType) return rejectBody(req, res, 'Element type must be provided.');
		if (!world.appOf(rec).dataTypes.some((d) => d.id === dataType)) {
			return rejectBody(req, res, 'Requested element type is not declared in application metadata');
		}
		const upload = await readUpload(req, STORAGE_SIZE_LIMIT, world.tempFiles);
		if (upload.tooLarge) return sendEmpty(res, 413);
		if (!upload.blob || upload.size === 0) return sendJsonString(res, 400, 'Empty stream provided. Cannot persist data.');
		const extra: Record<string, unknown> = {};
		const refs = req.query.getAll('refs');
		if (refs.length) extra.refs = refs;
		const generatedFromTask = req.query.get('generatedFromTask');
		if (generatedFromTask) extra.references = [{ value: generatedFromTask, relation: 'GeneratedFrom', valueType: 'Task' }];
		const element = world.addDataElement(
			rec,
			{ dataType, content: upload.blob, contentType: upload.contentType ?? 'application/octet-stream', filename: upload.filename },
			caller.actor,
			world.now(),
			extra,
		);
		sendJson(res, 201, element, { Location: element.selfLinks.platform });
	});

	add('PUT', `${INSTANCE}/data/:dataGuid`, 'storage.data.update', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const rec = instanceByPolicy(ctx, req, res, caller, 'write');
		if (!rec) return;
		const element = world.dataElement(rec, req.params.dataGuid);
		if (!element) {
			req.raw.resume();
			return sendJsonString(res, 404, `Unable to find any data element with id: ${req.params.dataGuid}.`);
		}
		if (element.locked) {
			req.raw.resume();
			return sendJsonString(res, 409, `Data element ${element.id} is locked and cannot be updated`);
		}
		const upload = await readUpload(req, STORAGE_SIZE_LIMIT, world.tempFiles);
		if (upload.tooLarge) return sendEmpty(res, 413);
		if (!upload.blob || upload.size === 0) return sendJsonString(res, 422, 'Could not process attached file');
		sendJson(res, 200, world.replaceData(rec, element, upload.blob, upload.contentType, upload.filename, caller.actor));
	});

	add('DELETE', `${INSTANCE}/data/:dataGuid`, 'storage.data.delete', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const rec = instanceByPolicy(ctx, req, res, caller, 'write');
		if (!rec) return;
		const element = world.dataElement(rec, req.params.dataGuid);
		if (!element) return sendJsonString(res, 404, `Unable to find any data element with id: ${req.params.dataGuid}.`);
		const delay = queryBool(req.query.get('delay')) === true;
		const dt = world.appOf(rec).dataTypes.find((d) => d.id === element.dataType);
		if (delay && !dt?.appLogic?.autoDeleteOnProcessEnd) {
			return sendJsonString(res, 400, `DataType ${element.dataType} does not support delayed deletion`);
		}
		sendJson(res, 200, world.deleteData(rec, element, caller.actor, delay));
	});

	add('PUT', `${INSTANCE}/dataelements/:dataGuid`, 'storage.dataelement.update', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const rec = instanceByPolicy(ctx, req, res, caller, 'write');
		if (!rec) return;
		const element = world.dataElement(rec, req.params.dataGuid);
		const body = await jsonBody(req);
		if (!element) return sendJsonString(res, 404, `Unable to find any data element with id: ${req.params.dataGuid}.`);
		if (!body || body.id !== element.id || body.instanceGuid !== element.instanceGuid) {
			return sendJsonString(res, 400, 'Mismatch between path and dataElement content');
		}
		// Only these properties may change through this endpoint.
		for (const key of ['locked', 'refs', 'references', 'tags', 'userDefinedMetadata', 'metadata', 'deleteStatus']) {
			if (key in body) element[key] = body[key];
		}
		element.lastChanged = new Date(world.now()).toISOString();
		element.lastChangedBy = caller.orgNumber ?? caller.org;
		world.touch(rec, caller.actor, 'Saved', { dataId: element.id });
		sendJson(res, 200, element);
	});

	// ---------- instance events ----------
	add('GET', `${INSTANCE}/events`, 'storage.instanceEvents.list', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const rec = instanceByPolicy(ctx, req, res, caller, 'read');
		if (!rec) return;
		let events = world.instanceEvents.get(rec.instance.id) ?? [];
		const types = req.query.getAll('eventTypes').flatMap((t) => t.split(',')).filter(Boolean);
		if (types.length) events = events.filter((e) => types.includes(e.eventType));
		const from = req.query.get('from');
		const to = req.query.get('to');
		if (from && to) {
			const f = Date.parse(from);
			const t = Date.parse(to);
			if (Number.isNaN(f) || Number.isNaN(t)) {
				return sendJsonString(res, 400, 'Unable to perform query. Invalid format for time span. Use string format of UTC.');
			}
			events = events.filter((e) => Date.parse(e.created) >= f && Date.parse(e.created) <= t);
		}
		sendJson(res, 200, { instanceEvents: events });
	});

	add('GET', `${INSTANCE}/events/:eventGuid`, 'storage.instanceEvents.get', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const rec = instanceByPolicy(ctx, req, res, caller, 'read');
		if (!rec) return;
		const event = (world.instanceEvents.get(rec.instance.id) ?? []).find((e) => e.id === req.params.eventGuid);
		if (!event) return sendEmpty(res, 404);
		sendJson(res, 200, event);
	});

	add('POST', `${INSTANCE}/events`, 'storage.instanceEvents.create', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const rec = instanceByPolicy(ctx, req, res, caller, 'read');
		if (!rec) return;
		const body = await jsonBody(req);
		if (!body || !body.instanceId) return sendJsonString(res, 400, 'Missing parameter values: instanceEvent must exist and instanceId must be set');
		const { eventType, created, ...rest } = body;
		const event = world.logEvent(rec, String(eventType ?? 'Saved'), caller.actor, created ? Date.parse(String(created)) : world.now(), rest);
		sendJson(res, 201, event, { Location: `${ctx.urls.platform}${BASE}/instances/${rec.instance.id}/events/${event.id}` });
	});

	add('GET', `${INSTANCE}/process/history`, 'storage.process.history', async (req, res) => {
		const caller = await auth(req, res);
		if (!caller) return;
		const rec = instanceByPolicy(ctx, req, res, caller, 'read');
		if (rec) sendJson(res, 200, { processHistory: world.processHistory(rec) });
	});

	// ---------- applications (anonymous) ----------
	add('GET', `${BASE}/applications`, 'storage.applications.all', (_req, res) => {
		sendJson(res, 200, { applications: [...world.applications.values()].map((a) => world.applicationJson(a)) });
	});
	add('GET', `${BASE}/applications/:org`, 'storage.applications.list', (req, res) => {
		const apps = [...world.applications.values()].filter((a) => a.org === req.params.org);
		sendJson(res, 200, { applications: apps.map((a) => world.applicationJson(a)) });
	});
	add('GET', `${BASE}/applications/:org/:app`, 'storage.application.get', (req, res) => {
		const appId = `${req.params.org}/${req.params.app}`;
		const app = world.applications.get(appId);
		if (!app) return sendJsonString(res, 404, `Unable to find application with appId: ${appId}`);
		sendJson(res, 200, world.applicationJson(app));
	});
}

function rejectBody(req: EmulatorRequest, res: ServerResponse, message: string): void {
	req.raw.resume();
	sendJsonString(res, 400, message);
}
