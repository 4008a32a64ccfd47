/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Emulated Altinn app API (`/{org}/{app}`), after app-lib-dotnet v8's InstancesController,
 * DataController, ProcessController and ApplicationMetadataController, with the default
 * app policy (the service owner may instantiate, read, write and complete; not delete,
 * confirm or sign unless the Application says so). A system user may also instantiate for its own
 * customer when the customer delegated the app's resource to it (systemUsers.ts `systemUserMay`, inferred).
 *
 * Routes (counter `route.<name>`), all under `/{org}/{app}`:
 *   app.metadata                 GET    /api/v1/applicationmetadata            (anonymous)
 *   app.instances.create         POST   /instances[?instanceOwnerPartyId=]     (none, JSON template or multipart)
 *   app.instances.createPrefill  POST   /instances/create                      (InstansiationInstance with prefill)
 *   app.instances.active         GET    /instances/{p}/active
 *   app.instance.get             GET    /instances/{p}/{g}
 *   app.instance.complete        POST   /instances/{p}/{g}/complete
 *   app.instance.substatus       PUT    /instances/{p}/{g}/substatus
 *   app.instance.delete          DELETE /instances/{p}/{g}?hard=
 *   app.data.createLegacy        POST   /instances/{p}/{g}/data?dataType=      (201 DataElement)
 *   app.data.create              POST   /instances/{p}/{g}/data/{dataType}     (200 DataPostResponse; also /data/type/{dataType})
 *   app.data.get                 GET    /instances/{p}/{g}/data/{d}
 *   app.data.update              PUT    /instances/{p}/{g}/data/{d}
 *   app.data.delete              DELETE /instances/{p}/{g}/data/{d}
 *   app.process.get              GET    /instances/{p}/{g}/process
 *   app.process.start            POST   /instances/{p}/{g}/process/start
 *   app.process.next             PUT    /instances/{p}/{g}/process/next
 *   app.process.completeProcess  PUT    /instances/{p}/{g}/process/completeProcess
 *   app.process.history          GET    /instances/{p}/{g}/process/history
 */
import type { ServerResponse } from 'node:http';

import { attachWorld, drain, headerValue, instanceByPolicy, MIME_BY_EXTENSION, mediaType, queryBool } from './access';
import { authenticate, type Caller } from './altinnAuth';
import { discardBlob, readBlob, receiveBlob, type Blob } from './blobs';
import type { EmulatorContext } from './context';
import { sendEmpty, sendJson, sendJsonString, sendProblem, type EmulatorRequest, type Router } from './http';
import { boundaryOf, isMultipart, parseContentDisposition, parseMultipartStream, type StreamedPart } from './multipart';
import { streamDataElement } from './storage';
import { systemUserMay } from './systemUsers';
import {
	actionForTask,
	appLibAtLeast,
	applyPrefill,
	CURRENT_APP_LIB,
	type Application,
	type DataElementJson,
	type DataInput,
	type DataTypeDef,
	type InstanceJson,
	type InstanceRecord,
	type Party,
} from './state';

const APP = '/:org/:app';
const INSTANCE = `${APP}/instances/:partyId/:instanceGuid`;
/** app-lib's RequestSizeLimit (2000 MB). */
const APP_SIZE_LIMIT = 2000 * 1024 * 1024;

type Issue = { severity: number; code: string; description: string; source?: string; field?: string | null };

export function registerApps(router: Router, ctx: EmulatorContext): void {
	attachWorld(ctx);
	const world = ctx.world;

	/** The app must exist (else no such app is deployed: empty 404); protected routes also authenticate. */
	const appFor = (req: EmulatorRequest, res: ServerResponse): Application | undefined => {
		const app = world.applications.get(`${req.params.org}/${req.params.app}`);
		if (!app) {
			req.raw.resume();
			sendEmpty(res, 404);
		}
		return app;
	};
	const callerFor = async (req: EmulatorRequest, res: ServerResponse): Promise<[Application, Caller] | undefined> => {
		const app = appFor(req, res);
		if (!app) return undefined;
		const caller = await authenticate(req, res, ctx);
		return caller ? [app, caller] : undefined;
	};
	/** Instance of this app the caller may act on; 403 when missing or denied (the PEP runs first). */
	const instanceFor = async (req: EmulatorRequest, res: ServerResponse, action: string): Promise<[InstanceRecord, Caller, Application] | undefined> => {
		const found = await callerFor(req, res);
		if (!found) return undefined;
		const [app, caller] = found;
		const rec = instanceByPolicy(ctx, req, res, caller, action);
		if (!rec) return undefined;
		if (rec.instance.appId !== app.id) {
			req.raw.resume();
			sendEmpty(res, 403);
			return undefined;
		}
		return [rec, caller, app];
	};

	const instanceResponse = (instance: InstanceJson): InstanceJson => {
		const party = world.parties.get(Number(instance.instanceOwner.partyId));
		return {
			...instance,
			instanceOwner: {
				...instance.instanceOwner,
				...(party
					? {
							party: {
								partyId: party.partyId,
								partyUuid: party.partyUuid,
								partyTypeName: party.ssn ? 1 : 2,
								...(party.ssn ? { ssn: party.ssn } : {}),
								...(party.orgNumber ? { orgNumber: party.orgNumber, unitType: 'AS' } : {}),
								name: party.name,
								isDeleted: false,
							},
						}
					: {}),
			},
		};
	};

	// ---------- metadata ----------
	router.add('GET', `${APP}/api/v1/applicationmetadata`, 'app.metadata', (req, res) => {
		const app = appFor(req, res);
		if (app) sendJson(res, 200, { ...world.applicationJson(app), altinnNugetVersion: app.appLibVersion ?? CURRENT_APP_LIB });
	});

	// ---------- instantiation ----------
	/** Party lookup like app-lib's LookupParty; a string error answers 404 "Cannot lookup party: …". */
	const lookupParty = (owner: Record<string, unknown> | undefined, queryPartyId: string | null): Party | string => {
		if (queryPartyId) return world.findParty({ partyId: Number(queryPartyId) }) ?? `Party ${queryPartyId} not found`;
		if (owner?.partyId) return world.findParty({ partyId: Number(owner.partyId) }) ?? `Party ${String(owner.partyId)} not found`;
		if (owner?.personNumber) return world.findParty({ ssn: String(owner.personNumber) }) ?? 'Could not find person';
		if (owner?.organisationNumber) return world.findParty({ orgNumber: String(owner.organisationNumber) }) ?? 'Could not find organisation';
		return 'Could not find instance owner';
	};

	/** Validates instantiation parts against the app's data types (RequestPartValidator). */
	const validatePart = (app: Application, part: StreamedPart): string | undefined => {
		const dt = app.dataTypes.find((d) => d.id === part.name);
		if (!dt) return `Multipart section named, '${part.name}' does not correspond to an element type in application metadata`;
		if (dt.maxSize && part.size > dt.maxSize * 1024 * 1024) {
			return `The multipart section named ${part.name} exceeds the size limit of element type '${dt.id}'`;
		}
		const ct = mediaType(part.contentType);
		if (!dt.appLogic && dt.allowedContentTypes?.length && !dt.allowedContentTypes.map((c) => c.toLowerCase()).includes(ct ?? '')) {
			return `The multipart section named ${part.name} has a Content-Type '${part.contentType}' which is invalid for element type '${dt.id}'`;
		}
		return undefined;
	};

	const partToData = async (part: StreamedPart, dt: DataTypeDef | undefined): Promise<DataInput> => {
		const ct = mediaType(part.contentType);
		if (dt?.appLogic && ct === 'application/json') {
			return { dataType: dt.id, content: JSON.parse((await readBlob(part.blob)).toString('utf8') || '{}') as Record<string, unknown> };
		}
		return { dataType: part.name as string, content: part.blob, contentType: part.contentType, filename: part.filename };
	};

	/** Common tail of both instantiation endpoints: checks, create, 201 + Location + InstanceResponse. */
	const instantiate = (
		res: ServerResponse,
		app: Application,
		caller: Caller,
		party: Party,
		template: Record<string, unknown>,
		data: DataInput[],
		formData?: Record<string, unknown>,
	) => {
		const asSystemUser = systemUserMay(ctx.systemUsers, caller.claims, app.id, party.orgNumber);
		if (!world.orgMay(app, 'instantiate', caller.org) && !asSystemUser) return sendEmpty(res, 403);
		const allowed = app.partyTypesAllowed ?? {};
		const restricted = Object.values(allowed).some(Boolean);
		const type = party.ssn ? 'person' : 'organisation';
		if (restricted && !allowed[type]) {
			return sendJsonString(res, 403, `Party ${party.partyId} is not allowed to instantiate this application ${app.id}`);
		}
		const rec = world.createInstance({
			appId: app.id,
			partyId: party.partyId,
			dueBefore: template.dueBefore as string | undefined,
			visibleAfter: template.visibleAfter as string | undefined,
			dataValues: template.dataValues as Record<string, string> | undefined,
			status: template.status as Record<string, unknown> | undefined,
			formData,
			data,
			actor: caller.actor,
		});
		sendJson(res, 201, instanceResponse(rec.instance), { Location: rec.instance.selfLinks.apps });
	};

	router.add('POST', `${APP}/instances`, 'app.instances.create', async (req, res) => {
		const found = await callerFor(req, res);
		if (!found) return;
		const [app, caller] = found;
		const contentType = headerValue(req, 'content-type');
		let template: Record<string, unknown> = {};
		const dataParts: StreamedPart[] = [];
		if (Number(headerValue(req, 'content-length') ?? 0) > APP_SIZE_LIMIT) {
			await drain(req);
			return sendEmpty(res, 413);
		}
		if (isMultipart(contentType)) {
			// Read as it streams in (large parts go to temp files), as Kestrel hands app-lib a stream.
			let parts: StreamedPart[];
			try {
				parts = await parseMultipartStream(req.raw, boundaryOf(contentType) ?? '', world.tempFiles);
			} catch (error) {
				await drain(req);
				return sendProblem(res, 400, 'Bad Request', (error as Error).message);
			}
			const discard = () => parts.forEach((part) => discardBlob(part.blob));
			for (const [i, part] of parts.entries()) {
				if (!part.contentDisposition) return (discard(), sendProblem(res, 400, 'Bad Request', `Part number ${i} doesn't have a content disposition`));
				if (!part.contentType) return (discard(), sendProblem(res, 400, 'Bad Request', `Part number ${i} doesn't have a content type`));
				if (part.name === 'instance') {
					try {
						template = JSON.parse((await readBlob(part.blob)).toString('utf8')) as Record<string, unknown>;
					} catch {
						discard();
						return sendJsonString(res, 400, 'Error when reading the instance template: invalid JSON');
					}
				} else if (part.name !== 'notification') dataParts.push(part);
			}
			for (const part of dataParts) {
				const problem = validatePart(app, part);
				if (problem) return (discard(), sendJsonString(res, 400, `Error when comparing content to application metadata: ${problem}`));
			}
		} else {
			const body = await req.body();
			if (body.length > 0) {
				if (mediaType(contentType) !== 'application/json') {
					return sendJsonString(res, 400, `Error when comparing content to application metadata: unexpected content type ${contentType ?? '(none)'}`);
				}
				try {
					template = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
				} catch {
					return sendJsonString(res, 400, 'Error when reading the instance template: invalid JSON');
				}
			}
		}
		const owner = template.instanceOwner as Record<string, unknown> | undefined;
		const queryPartyId = req.query.get('instanceOwnerPartyId');
		if (queryPartyId && owner) {
			return sendJsonString(res, 400, 'You cannot provide an instanceOwnerPartyId as a query param as well as an instance template in the body. Choose one or the other.');
		}
		if (!queryPartyId && !owner) {
			return sendJsonString(res, 400, 'Error: instanceOwnerPartyId query parameter is empty and InstanceOwner is missing from instance template. You must populate instanceOwnerPartyId or InstanceOwner');
		}
		const party = lookupParty(owner, queryPartyId);
		if (typeof party === 'string') return sendJsonString(res, 404, `Cannot lookup party: ${party}`);
		const data = await Promise.all(dataParts.map((p) => partToData(p, app.dataTypes.find((d) => d.id === p.name))));
		instantiate(res, app, caller, party, template, data);
	});

	router.add('POST', `${APP}/instances/create`, 'app.instances.createPrefill', async (req, res) => {
		const found = await callerFor(req, res);
		if (!found) return;
		const [app, caller] = found;
		let body: Record<string, unknown>;
		try {
			body = JSON.parse((await req.body()).toString('utf8') || 'null') as Record<string, unknown>;
		} catch {
			return sendProblem(res, 400, 'One or more validation errors occurred.', 'The request body is not valid JSON.');
		}
		if (!body || typeof body !== 'object') return sendProblem(res, 400, 'One or more validation errors occurred.', 'A non-empty request body is required.');
		const owner = body.instanceOwner as Record<string, unknown> | undefined;
		if (!owner) return sendJsonString(res, 400, 'Error: instanceOwner is missing. You must populate InstanceOwner');
		const party = lookupParty(owner, null);
		if (typeof party === 'string') return sendJsonString(res, 404, `Cannot lookup party: ${party}`);
		let model: Record<string, unknown> = {};
		if (body.sourceInstanceId) {
			const settings = app.copyInstanceSettings as { enabled?: boolean } | undefined;
			if (!settings?.enabled) {
				return sendJsonString(res, 400, 'Creating instance based on a copy from an archived instance is not enabled for this app.');
			}
			const source = world.instance(String(body.sourceInstanceId));
			if (!source || source.instance.instanceOwner.partyId !== String(party.partyId) || !source.instance.status.isArchived) {
				return sendJsonString(res, 400, 'It is not possible to copy an instance that is not archived or belongs to another party.');
			}
			const form = (source.instance.data as DataElementJson[]).find((d) => app.dataTypes.find((t) => t.id === d.dataType)?.appLogic);
			const blob = form && world.blobs.get(form.id);
			if (blob) model = JSON.parse((await readBlob(blob)).toString('utf8')) as Record<string, unknown>;
		}
		applyPrefill(model, (body.prefill ?? {}) as Record<string, unknown>);
		instantiate(res, app, caller, party, body, [], model);
	});

	// ---------- instances ----------
	router.add('GET', `${APP}/instances/:partyId/active`, 'app.instances.active', async (req, res) => {
		const found = await callerFor(req, res);
		if (!found) return;
		const [app, caller] = found;
		if (!world.orgMay(app, 'read', caller.org)) return sendEmpty(res, 403);
		const list = [...world.instances.values()]
			.map((r) => r.instance)
			.filter((i) => i.appId === app.id && i.instanceOwner.partyId === req.params.partyId && !i.status.isArchived && !i.status.isSoftDeleted)
			.map((i) => ({ id: i.id, presentationTexts: i.presentationTexts, dueBefore: i.dueBefore, lastChanged: i.lastChanged, lastChangedBy: i.lastChangedBy }));
		sendJson(res, 200, list);
	});

	router.add('GET', INSTANCE, 'app.instance.get', async (req, res) => {
		const found = await instanceFor(req, res, 'read');
		if (found) sendJson(res, 200, instanceResponse(found[0].instance));
	});

	router.add('POST', `${INSTANCE}/complete`, 'app.instance.complete', async (req, res) => {
		const found = await instanceFor(req, res, 'complete');
		if (!found) return;
		await drain(req);
		world.confirmComplete(found[0], found[1].actor);
		sendJson(res, 200, found[0].instance);
	});

	router.add('PUT', `${INSTANCE}/substatus`, 'app.instance.substatus', async (req, res) => {
		const found = await instanceFor(req, res, 'read');
		if (!found) return;
		const [rec, caller] = found;
		if (caller.org !== rec.instance.org) return sendEmpty(res, 403);
		let body: Record<string, unknown> | undefined;
		try {
			body = JSON.parse((await req.body()).toString('utf8') || 'null') as Record<string, unknown>;
		} catch {
			body = undefined;
		}
		if (!body?.label) return sendJsonString(res, 400, `Invalid sub status: ${JSON.stringify(body ?? null)}. Substatus must be defined and include a label.`);
		world.setSubstatus(rec, { label: String(body.label), description: body.description as string | undefined }, caller.actor);
		// Only the app publishes the event: app-lib-dotnet InstancesController.UpdateSubstatus
		// (1363997d2) calls RegisterEvent("app.instance.substatus.changed") after Storage's update.
		world.emitAppEvent(rec, 'app.instance.substatus.changed');
		sendJson(res, 200, rec.instance);
	});

	router.add('DELETE', INSTANCE, 'app.instance.delete', async (req, res) => {
		const found = await instanceFor(req, res, 'delete');
		if (!found) return;
		world.deleteInstance(found[0], queryBool(req.query.get('hard')) === true, found[1].actor);
		sendJson(res, 200, found[0].instance);
	});

	// ---------- data ----------
	/** DataElementAccessChecker: 409 when the instance is archived or deleted, or maxCount is reached. */
	const accessProblem = (rec: InstanceRecord, dt: DataTypeDef, creating: boolean): [number, string, string] | undefined => {
		const s = rec.instance.status;
		if (s.isArchived || s.isSoftDeleted || s.isHardDeleted) {
			return [409, 'Instance Not Active', `Cannot update data element of archived or deleted instance ${rec.instance.id}`];
		}
		if (!rec.instance.process?.currentTask) return [409, 'No current task', 'The instance has no current task'];
		if (creating && dt.maxCount && dt.maxCount > 0) {
			const count = (rec.instance.data as DataElementJson[]).filter((d) => d.dataType === dt.id).length;
			if (count >= dt.maxCount) return [409, 'Max Count Exceeded', `Cannot create more than ${dt.maxCount} data elements of type ${dt.id}`];
		}
		return undefined;
	};

	/** DataRestrictionValidation on the headers of an attachment upload. */
	const headerIssues = (req: EmulatorRequest, dt: DataTypeDef): Issue[] => {
		const disposition = headerValue(req, 'content-disposition');
		const issue = (code: string, description: string): Issue[] => [{ severity: 1, code, description, source: 'DataRestrictionValidation' }];
		if (!disposition) return issue('InvalidFileNameFormat', 'Invalid data provided. Error: The request must include a Content-Disposition header');
		const filename = parseContentDisposition(disposition).filename;
		if (!filename) return issue('MissingFileName', 'The Content-Disposition header must contain a filename');
		const dot = filename.lastIndexOf('.');
		if (dot <= 0 || dot === filename.length - 1) return issue('InvalidFileNameFormat', 'Invalid format for filename: ' + filename + '. Filename is expected to end with \'.{filetype}\'.');
		const allowed = (dt.allowedContentTypes ?? []).map((c) => c.toLowerCase());
		if (allowed.length && !allowed.includes('application/octet-stream')) {
			const ct = mediaType(headerValue(req, 'content-type'));
			const mime = MIME_BY_EXTENSION[filename.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream';
			if (ct !== 'application/octet-stream' && ct !== mime) {
				return issue('ContentTypeNotAllowed', `Content type header ${ct ?? ''} does not match mime type ${mime} for uploaded file. Please fix header or upload another file.`);
			}
			if (!allowed.includes(mime)) {
				return issue('ContentTypeNotAllowed', `Invalid content type: ${mime}. Please try another file. Permitted content types include: ${dt.allowedContentTypes?.join(', ')}`);
			}
		}
		return [];
	};

	/**
	 * Reads and checks an upload for `dt`. Answers the error itself (ProblemDetails, or the
	 * legacy string) and returns undefined; else the data to store.
	 */
	const receiveUpload = async (
		req: EmulatorRequest,
		res: ServerResponse,
		dt: DataTypeDef,
		legacy: boolean,
	): Promise<{ blob: Blob; contentType: string; filename?: string } | undefined> => {
		const badRequest = async (issues: Issue[]) => {
			await drain(req);
			if (legacy) return sendJsonString(res, 400, issues.map((i) => i.description).join(';'));
			sendProblem(res, 400, 'Bad Request', issues.map((i) => i.description).join(';'), { uploadValidationIssues: issues });
		};
		if (dt.appLogic) {
			const text = (await req.body()).toString('utf8');
			const ct = mediaType(headerValue(req, 'content-type'));
			if (ct === 'application/xml' || ct === 'text/xml') {
				return { blob: { kind: 'buffer', data: Buffer.from(text) }, contentType: 'application/xml' };
			}
			try {
				const model = text.trim() ? (JSON.parse(text) as unknown) : {};
				return { blob: { kind: 'buffer', data: Buffer.from(JSON.stringify(model)) }, contentType: 'application/json' };
			} catch {
				await badRequest([{ severity: 1, code: 'DataModelDeserialization', description: 'Failed to deserialize the request body as JSON' }]);
				return undefined;
			}
		}
		const issues = headerIssues(req, dt);
		if (issues.length) {
			await badRequest(issues);
			return undefined;
		}
		const limit = dt.maxSize ? dt.maxSize * 1024 * 1024 : APP_SIZE_LIMIT;
		const declared = Number(headerValue(req, 'content-length') ?? NaN);
		const got = declared > limit ? { tooLarge: true as const, size: declared } : await receiveBlob(req.raw, limit, world.tempFiles);
		if ('tooLarge' in got) {
			await drain(req);
			sendProblem(res, 413, 'Request too large', `Binary attachment exceeds limit of ${dt.maxSize ?? 2000} MB`);
			return undefined;
		}
		if (got.size === 0) {
			await badRequest([{ severity: 1, code: 'DataElementFileEmpty', description: 'Invalid data provided. Error: The file is zero bytes.' }]);
			return undefined;
		}
		return {
			blob: got.blob,
			contentType: headerValue(req, 'content-type') ?? 'application/octet-stream',
			filename: parseContentDisposition(headerValue(req, 'content-disposition')).filename,
		};
	};

	const createData = async (req: EmulatorRequest, res: ServerResponse, dataType: string | null, legacy: boolean) => {
		const found = await instanceFor(req, res, 'write');
		if (!found) return;
		const [rec, caller, app] = found;
		const dt = app.dataTypes.find((d) => d.id === dataType);
		if (!dt) {
			await drain(req);
			const message = `Element type ${dataType ?? ''} not allowed: it is not declared in application metadata`;
			return legacy ? sendJsonString(res, 400, message) : sendProblem(res, 400, 'Bad Request', message);
		}
		const problem = accessProblem(rec, dt, true);
		if (problem) {
			await drain(req);
			return sendProblem(res, problem[0], problem[1], problem[2]);
		}
		const upload = await receiveUpload(req, res, dt, legacy);
		if (!upload) return;
		const element = world.addDataElement(rec, { dataType: dt.id, content: upload.blob, contentType: upload.contentType, filename: upload.filename }, caller.actor);
		if (legacy) return sendJson(res, 201, element, { Location: element.selfLinks.apps });
		sendJson(res, 200, { newDataElementId: element.id, instance: rec.instance, validationIssues: [], newDataModels: [] });
	};

	/**
	 * `POST …/data/{dataType}` first appeared in app-lib 8.5.0 (app-lib-dotnet PR #853, 6bac8a126,
	 * 28 Oct 2024); 8.3.8 (dcd9c77c6, DataController.cs) routes only `[HttpPost]` on `…/data` with
	 * `[FromQuery] dataType`, and its other `data/{dataGuid:guid}` routes do not match a data type
	 * name, so an older app answers the new form with ASP.NET's empty 404. The query form is
	 * still served, marked [Obsolete], in 8.12.7 (1363997d2).
	 */
	const createDataByRoute = async (req: EmulatorRequest, res: ServerResponse) => {
		const app = world.applications.get(`${req.params.org}/${req.params.app}`);
		if (app && !appLibAtLeast(app.appLibVersion, 8, 5)) {
			await drain(req);
			return sendEmpty(res, 404);
		}
		await createData(req, res, req.params.dataType, false);
	};
	router.add('POST', `${INSTANCE}/data`, 'app.data.createLegacy', (req, res) => createData(req, res, req.query.get('dataType'), true));
	router.add('POST', `${INSTANCE}/data/type/:dataType`, 'app.data.create', createDataByRoute);
	router.add('POST', `${INSTANCE}/data/:dataType`, 'app.data.create', createDataByRoute);

	const elementFor = (req: EmulatorRequest, res: ServerResponse, rec: InstanceRecord): DataElementJson | undefined => {
		const element = (rec.instance.data as DataElementJson[]).find((d) => d.id === req.params.dataGuid);
		if (!element) {
			req.raw.resume();
			sendProblem(res, 404, 'Not Found', `Did not find data element ${req.params.dataGuid}`);
		}
		return element;
	};

	router.add('GET', `${INSTANCE}/data/:dataGuid`, 'app.data.get', async (req, res) => {
		const found = await instanceFor(req, res, 'read');
		if (!found) return;
		const [rec, , app] = found;
		const element = elementFor(req, res, rec);
		const blob = element && world.blobs.get(element.id);
		if (!element || !blob) return;
		const dt = app.dataTypes.find((d) => d.id === element.dataType);
		if (dt?.appLogic && element.contentType === 'application/json') {
			// Form data: the model, serialized as JSON (the emulator stores models as JSON).
			res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
			res.end(await readBlob(blob));
			return;
		}
		await streamDataElement(res, element, blob);
	});

	router.add('PUT', `${INSTANCE}/data/:dataGuid`, 'app.data.update', async (req, res) => {
		const found = await instanceFor(req, res, 'write');
		if (!found) return;
		const [rec, caller, app] = found;
		const element = elementFor(req, res, rec);
		if (!element) return;
		const dt = app.dataTypes.find((d) => d.id === element.dataType) ?? { id: element.dataType };
		const problem = accessProblem(rec, dt, false);
		if (problem) {
			await drain(req);
			return sendProblem(res, problem[0], problem[1], problem[2]);
		}
		if (element.locked) {
			await drain(req);
			return sendProblem(res, 409, 'Conflict', `Data element ${element.id} is locked and cannot be updated`);
		}
		const upload = await receiveUpload(req, res, dt, false);
		if (!upload) return;
		sendJson(res, 201, world.replaceData(rec, element, upload.blob, upload.contentType, upload.filename, caller.actor));
	});

	router.add('DELETE', `${INSTANCE}/data/:dataGuid`, 'app.data.delete', async (req, res) => {
		const found = await instanceFor(req, res, 'write');
		if (!found) return;
		const [rec, caller, app] = found;
		const element = elementFor(req, res, rec);
		if (!element) return;
		const problem = accessProblem(rec, app.dataTypes.find((d) => d.id === element.dataType) ?? { id: element.dataType }, false);
		if (problem) return sendProblem(res, problem[0], problem[1], problem[2]);
		world.deleteData(rec, element, caller.actor);
		sendJson(res, 200, { instance: rec.instance, validationIssues: [], newDataModels: [] });
	});

	// ---------- process ----------
	const processState = (rec: InstanceRecord, app: Application, caller: Caller) => {
		const process = structuredClone(rec.instance.process ?? {});
		if (process.currentTask) {
			const type = process.currentTask.altinnTaskType as string;
			const action = actionForTask(type);
			const actions: Record<string, boolean> = { [action]: world.orgMay(app, action, caller.org) };
			if (type === 'signing') actions.reject = world.orgMay(app, 'reject', caller.org);
			Object.assign(process.currentTask, {
				actions,
				userActions: Object.entries(actions).map(([id, authorized]) => ({ id, authorized, type: 'ProcessAction' })),
				read: world.orgMay(app, 'read', caller.org),
				write: world.orgMay(app, 'write', caller.org),
				elementType: 'Task',
			});
		}
		process.processTasks = app.processTasks.map((t) => ({ elementId: t.id, elementType: 'Task', altinnTaskType: t.altinnTaskType }));
		return process;
	};

	router.add('GET', `${INSTANCE}/process`, 'app.process.get', async (req, res) => {
		const found = await instanceFor(req, res, 'read');
		if (found) sendJson(res, 200, processState(found[0], found[2], found[1]));
	});

	router.add('POST', `${INSTANCE}/process/start`, 'app.process.start', async (req, res) => {
		const found = await instanceFor(req, res, 'instantiate');
		if (!found) return;
		await drain(req);
		sendProblem(res, 409, 'Process is already started. Use next.');
	});

	/** One `process/next` step; answers the error itself and returns false when it cannot move. */
	const step = async (res: ServerResponse, rec: InstanceRecord, app: Application, caller: Caller, action: string | undefined, complete: boolean): Promise<boolean> => {
		const process = rec.instance.process;
		if (!process?.started) {
			sendProblem(res, 409, 'Process is not started. Use start!');
			return false;
		}
		if (process.ended || !process.currentTask) {
			sendProblem(res, 409, complete ? 'Process is ended. It cannot be restarted.' : 'Process is ended.');
			return false;
		}
		const task = process.currentTask;
		const wanted = action ?? actionForTask(task.altinnTaskType);
		if (!world.orgMay(app, wanted, caller.org)) {
			sendProblem(res, 403, 'Forbidden', `User is not authorized to perform process next. Task ID: ${task.elementId}. Task type: ${task.altinnTaskType}. Action: ${wanted}.`);
			return false;
		}
		if (wanted !== 'reject') {
			const issues = await world.validateTask(rec);
			if (issues.length) {
				sendProblem(res, 409, 'Validation failed for task', `${issues.length} validation errors found for task ${task.elementId}`, { validationIssues: issues });
				return false;
			}
		}
		world.moveProcess(rec, caller.actor);
		return true;
	};

	router.add('PUT', `${INSTANCE}/process/next`, 'app.process.next', async (req, res) => {
		const found = await instanceFor(req, res, 'read');
		if (!found) return;
		const [rec, caller, app] = found;
		let action: string | undefined;
		const text = (await req.body()).toString('utf8');
		if (text.trim()) {
			try {
				const body = JSON.parse(text) as { action?: unknown } | null;
				if (body && typeof body.action === 'string' && body.action) action = body.action;
			} catch {
				return sendProblem(res, 400, 'One or more validation errors occurred.', 'The request body is not valid JSON.');
			}
		}
		if (await step(res, rec, app, caller, action, false)) sendJson(res, 200, processState(rec, app, caller));
	});

	router.add('PUT', `${INSTANCE}/process/completeProcess`, 'app.process.completeProcess', async (req, res) => {
		const found = await instanceFor(req, res, 'read');
		if (!found) return;
		const [rec, caller, app] = found;
		await drain(req);
		if (!(await step(res, rec, app, caller, undefined, true))) return;
		while (rec.instance.process?.currentTask) {
			if (!(await step(res, rec, app, caller, undefined, true))) return;
		}
		sendJson(res, 200, processState(rec, app, caller));
	});

	router.add('GET', `${INSTANCE}/process/history`, 'app.process.history', async (req, res) => {
		const found = await instanceFor(req, res, 'read');
		if (found) sendJson(res, 200, { processHistory: world.processHistory(found[0]) });
	});
}
