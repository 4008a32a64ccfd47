/**
 * The emulated Altinn world shared by Storage, the apps and Events: service owners,
 * parties, applications, instances, data blobs, the instance audit log and app events.
 * Maskinporten clients live in `maskinporten.ts`, which owns them.
 *
 * Every write goes through a method here, so Storage and the app API behave identically:
 * each one sets `lastChanged`/`lastChangedBy`, appends an instance event, and (for apps that
 * publish events) emits the app's CloudEvents. Tests use the same methods to seed.
 */
import { randomUUID } from 'node:crypto';

import { blobSize, discardBlob, generatedBlobSha256, readBlob, TempFiles, type Blob } from './blobs';

export type { Blob } from './blobs';
export { generatedBlobSha256 } from './blobs';

export interface ServiceOwner {
	/** Org code, e.g. `ttd`. */
	code: string;
	orgNumber: string;
	name: string;
}

export interface Party {
	partyId: number;
	orgNumber?: string;
	ssn?: string;
	name: string;
	partyUuid?: string;
}

export interface DataTypeDef {
	id: string;
	description?: string | Record<string, string>;
	allowedContentTypes?: string[] | null;
	/** Maximum size in MB, as in Altinn application metadata. */
	maxSize?: number | null;
	maxCount?: number;
	minCount?: number;
	taskId?: string;
	/** Present for form data (a data model); absent for attachments. */
	appLogic?: { classRef: string; autoCreate?: boolean; autoDeleteOnProcessEnd?: boolean } | null;
	[key: string]: unknown;
}

export type TaskType = 'data' | 'confirmation' | 'signing' | 'feedback' | 'payment' | 'pdf';

export interface Application {
	id: string; // org/app
	org: string;
	title: Record<string, string>;
	dataTypes: DataTypeDef[];
	partyTypesAllowed?: Record<string, boolean>;
	/** Emulator only: whether the app publishes events (RegisterEventsWithEventsComponent). */
	publishesEvents: boolean;
	/** Emulator only: ordered tasks of the app's process, e.g. Task_1 (data) -> Task_2 (confirmation). */
	processTasks: Array<{ id: string; altinnTaskType: TaskType; name?: string }>;
	/** Emulator only: whether the app's policy grants the service owner `delete`. The default policy does not. */
	orgMayDelete?: boolean;
	/** Emulator only: further actions the app's policy grants the service owner, e.g. `confirm`, `sign`. */
	extraOrgActions?: string[];
	/** Emulator only: form fields that must be non-empty before `process/next` leaves their task. */
	requiredFields?: Array<{ dataType: string; field: string }>;
	/**
	 * Emulator only: the app-lib-dotnet version the app was built with (default 8.12.7.0), served
	 * as `altinnNugetVersion`. Every app runs the app-lib it was built with, so routes differ.
	 */
	appLibVersion?: string;
	[key: string]: unknown;
}

/** Emulator-only Application keys that the real metadata does not have. */
export const EMULATOR_APP_KEYS = ['publishesEvents', 'processTasks', 'orgMayDelete', 'extraOrgActions', 'requiredFields', 'appLibVersion'];

/** The app-lib the emulated apps are built with unless they say otherwise. */
export const CURRENT_APP_LIB = '8.12.7.0';

/** Whether app-lib `version` (e.g. `8.3.8.0`) is at least `major.minor.patch`. */
export function appLibAtLeast(version: string | undefined, major: number, minor: number, patch = 0): boolean {
	const [a = 0, b = 0, c = 0] = (version ?? CURRENT_APP_LIB).split('.').map(Number);
	return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
}

export interface CloudEvent {
	specversion: '1.0';
	id: string;
	time: string;
	source: string;
	subject: string;
	type: string;
	alternativesubject?: string;
	resource: string;
	resourceinstance: string;
}

/** Storage's Instance and DataElement as JSON objects (camelCase, nulls omitted). */
export type InstanceJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type DataElementJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type InstanceEventJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An instance as PgInstanceRepository holds it: the JSON plus its internal row id. */
export interface InstanceRecord {
	/** The `id` column: the second half of the `{lastChanged.Ticks};{internalId}` continuation token. */
	internalId: number;
	instance: InstanceJson;
	/** `lastChanged` in epoch milliseconds (kept in step with `instance.lastChanged`). */
	lastChangedMs: number;
	/**
	 * The `lastchanged` column in epoch microseconds: Postgres keeps microseconds, and Storage's own
	 * writes carry them (`DateTime.UtcNow`), so queries compare at that precision.
	 */
	lastChangedUs: number;
}

/** Who performs a write: a service owner (org code + number) or, for seeding, nobody in particular. */
export interface Actor {
	org?: string;
	orgNumber?: string;
}

export interface DataInput {
	dataType: string;
	/** Bytes: a Buffer, a string (utf8), a JSON object (form data) or a ready Blob. */
	content?: Buffer | string | Blob | Record<string, unknown>;
	contentType?: string;
	filename?: string;
}

export interface CreateInstanceOptions {
	appId: string;
	partyId: number;
	/** Timestamps (Date, ISO string or epoch ms). `lastChanged` defaults to `created`, which defaults to now. */
	created?: Date | string | number;
	lastChanged?: Date | string | number;
	dueBefore?: string;
	visibleAfter?: string;
	/** Task to leave the instance at (walks the process, without validation); `'ended'` completes the process. */
	task?: string | 'ended';
	presentationTexts?: Record<string, string>;
	dataValues?: Record<string, string>;
	status?: Record<string, unknown>;
	/** Form data for the first task's auto-created model, or explicit data elements. */
	formData?: Record<string, unknown>;
	data?: DataInput[];
	/** Orgs that have confirmed (completeConfirmations). */
	confirmedBy?: string[];
	actor?: Actor;
	/** Emit app events for this instance (default: true when the app publishes events). */
	emitEvents?: boolean;
	/** Record the creation in the instance event log (default true; `createInstances` defaults to false for speed). */
	auditLog?: boolean;
}

export interface ValidationIssue {
	severity: number;
	code: string;
	description: string;
	field?: string | null;
	dataElementId?: string | null;
	source: string;
	customTextKey?: string | null;
}

const TICKS_AT_EPOCH = 621355968000000000n;

/** `{lastChanged.Ticks};{internalId}` as PgInstanceRepository builds it. */
export function continuationTokenOf(rec: InstanceRecord): string {
	return `${BigInt(rec.lastChangedUs) * 10n + TICKS_AT_EPOCH};${rec.internalId}`;
}

/** Parses a continuation token; throws (Storage answers 500) on garbage, like `long.Parse`. */
export function parseContinuationToken(token: string): { us: number; internalId: number } {
	const [ticks, id] = token.split(';');
	if (!/^\d+$/.test(ticks ?? '') || !/^\d+$/.test(id ?? '')) throw new Error(`Input string '${token}' was not in a correct format.`);
	return { us: Number((BigInt(ticks) - TICKS_AT_EPOCH) / 10n), internalId: Number(id) };
}

/**
 * A time as epoch microseconds, the way Postgres stores a `timestamptz` it is given: digits past the
 * microsecond are rounded (a .NET time carries 100 ns ticks). Undefined for text that is not a time.
 */
export function toMicros(text: string): number | undefined {
	const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/i.exec(text.trim());
	const ms = Date.parse(m ? `${m[1]}${m[3]}` : text);
	if (Number.isNaN(ms)) return undefined;
	const fraction = m?.[2] ?? '';
	const micros = fraction ? Math.round(Number(`0.${fraction}`) * 1e6) : 0;
	return ms * 1000 + micros;
}

/** Epoch microseconds as Storage's JSON writes them: six digits when there are microseconds, else milliseconds. */
function isoMicros(us: number): string {
	const ms = Math.floor(us / 1000);
	const micros = us - ms * 1000;
	const text = iso(ms);
	return micros === 0 ? text : `${text.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

const toMs = (t: Date | string | number): number =>
	t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
let isoMs = NaN;
let isoText = '';
/** ISO 8601 UTC; memoised because bulk seeding formats the same instant many times. */
const iso = (ms: number): string => {
	if (ms !== isoMs) {
		isoMs = ms;
		isoText = new Date(ms).toISOString();
	}
	return isoText;
};

/**
 * `dueBefore` / `visibleAfter` as Storage keeps them, the text its instance query compares:
 * UTC, seconds always, a fraction only when it is not zero (trailing zeros dropped), then `Z`
 * (`2030-12-31T00:00:00Z`, `2030-12-31T12:00:00.5Z`). Storage turns the template's dates into
 * UTC, reading a zone-less one as UTC (altinn-storage d9364e40, InstancesController.Post ->
 * DateTimeHelper.ConvertToUniversalTime), and Npgsql writes the Instance into its JSONB column
 * with System.Text.Json (PgInstanceRepository.Create, `NpgsqlDbType.Jsonb`), whose ISO 8601
 * DateTime format leaves out a zero fraction and trailing zeros (inferred from System.Text.Json's
 * documented format, not read in Storage).
 */
export function storedDateText(value: string | undefined): string | undefined {
	if (!value) return undefined;
	const withZone = /T.*(Z|[+-]\d\d:?\d\d)$/i.test(value) || !value.includes('T') ? value : `${value}Z`;
	const ms = Date.parse(withZone);
	if (Number.isNaN(ms)) return value;
	return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

/** The action a task type needs for `process/next` (app-lib ConvertTaskTypeToAction). */
export function actionForTask(taskType: string | undefined): string {
	if (taskType === 'confirmation') return 'confirm';
	if (taskType === 'signing') return 'sign';
	if (taskType === 'payment') return 'pay';
	return 'write';
}

export class AltinnWorld {
	readonly serviceOwners = new Map<string, ServiceOwner>();
	readonly parties = new Map<number, Party>();
	readonly applications = new Map<string, Application>();
	/** Keyed by `partyId/instanceGuid`. */
	readonly instances = new Map<string, InstanceRecord>();
	/** Keyed by data element id. */
	readonly blobs = new Map<string, Blob>();
	/** App events per app id, in publication order. */
	readonly appEvents = new Map<string, CloudEvent[]>();
	/** Called with every app event as it is published (Events push uses it). */
	readonly eventListeners: Array<(appId: string, event: CloudEvent) => void> = [];
	/** Storage instance events (audit log) per instance id. */
	readonly instanceEvents = new Map<string, InstanceEventJson[]>();
	/** Where large uploads spill to disk (removed by `dispose()`). */
	readonly tempFiles = new TempFiles();
	/** Base URLs for self links and CloudEvent sources; set by the emulator at start. */
	urls = { platform: 'https://platform.altinn.no', apps: 'https://{org}.apps.altinn.no' };
	/** The world's clock in epoch ms; the emulator applies its clock offset knob. */
	now: () => number = () => Date.now();
	private nextPartyId = 50000000;
	private nextInternalId = 1;
	private muteAuditLog = false;

	attach(urls: { platform: string; apps: string }, now: () => number): void {
		this.urls = { platform: urls.platform, apps: urls.apps };
		this.now = now;
	}

	// ---------- directory ----------

	addServiceOwner(owner: ServiceOwner): void {
		this.serviceOwners.set(owner.code, owner);
	}

	serviceOwnerByOrgNumber(orgNumber: string): ServiceOwner | undefined {
		return [...this.serviceOwners.values()].find((o) => o.orgNumber === orgNumber);
	}

	addParty(party: Omit<Party, 'partyId'> & { partyId?: number }): Party {
		const full = { partyUuid: randomUUID(), ...party, partyId: party.partyId ?? this.nextPartyId++ } as Party;
		this.parties.set(full.partyId, full);
		return full;
	}

	findParty(by: { partyId?: number; orgNumber?: string; ssn?: string }): Party | undefined {
		if (by.partyId !== undefined) return this.parties.get(by.partyId);
		return [...this.parties.values()].find(
			(p) => (by.orgNumber && p.orgNumber === by.orgNumber) || (by.ssn && p.ssn === by.ssn),
		);
	}

	addApplication(app: Application): void {
		this.applications.set(app.id, app);
	}

	/** Application metadata as Storage and the app serve it (without emulator-only keys). */
	applicationJson(app: Application): Record<string, unknown> {
		const out: Record<string, unknown> = { versionId: '1.0.0', processId: `${app.id.split('/')[1]}_process`, created: '2024-01-01T00:00:00Z', createdBy: app.org, ...app };
		for (const k of EMULATOR_APP_KEYS) delete out[k];
		return out;
	}

	/** The PDP as the default app policy decides it for a service owner (read, write, instantiate, complete). */
	orgMay(app: Application | undefined, action: string, org: string | undefined): boolean {
		if (!app || !org || org !== app.org) return false;
		if (['read', 'write', 'instantiate', 'complete'].includes(action)) return true;
		if (action === 'delete') return app.orgMayDelete === true;
		return app.extraOrgActions?.includes(action) === true;
	}

	// ---------- instances ----------

	instance(id: string): InstanceRecord | undefined {
		return this.instances.get(id);
	}

	appOf(rec: InstanceRecord): Application {
		const app = this.applications.get(rec.instance.appId as string);
		if (!app) throw new Error(`Unknown application ${rec.instance.appId}`);
		return app;
	}

	/** Creates an instance the way Storage's CreateInstanceFromTemplate plus the app's process start do. */
	createInstance(opts: CreateInstanceOptions): InstanceRecord {
		const app = this.applications.get(opts.appId);
		if (!app) throw new Error(`Unknown application ${opts.appId}`);
		const party = this.parties.get(opts.partyId);
		const createdMs = opts.created !== undefined ? toMs(opts.created) : this.now();
		const guid = randomUUID();
		const p = opts.partyId;
		const [org, appName] = app.id.split('/');
		const actor = opts.actor ?? { org: app.org, orgNumber: this.serviceOwners.get(app.org)?.orgNumber };
		const by = actor.orgNumber ?? actor.org ?? String(p);
		const at = iso(createdMs);
		const instance: InstanceJson = {
			id: `${p}/${guid}`,
			instanceOwner: {
				partyId: String(p),
				...(party?.ssn ? { personNumber: party.ssn } : {}),
				...(party?.orgNumber ? { organisationNumber: party.orgNumber } : {}),
			},
			appId: app.id,
			org,
			selfLinks: {
				apps: `${this.appsBase(org)}/${org}/${appName}/instances/${p}/${guid}`,
				platform: `${this.urls.platform}/storage/api/v1/instances/${p}/${guid}`,
			},
			...(opts.dueBefore ? { dueBefore: storedDateText(opts.dueBefore) } : {}),
			...(opts.visibleAfter ? { visibleAfter: storedDateText(opts.visibleAfter) } : {}),
			status: { isArchived: false, isSoftDeleted: false, isHardDeleted: false, readStatus: 'Unread', ...(opts.status ?? {}) },
			data: [],
			...(opts.presentationTexts ? { presentationTexts: { ...opts.presentationTexts } } : {}),
			...(opts.dataValues ? { dataValues: { ...opts.dataValues } } : {}),
			created: at,
			createdBy: by,
			lastChanged: at,
			lastChangedBy: by,
		};
		const rec: InstanceRecord = { internalId: this.nextInternalId++, instance, lastChangedMs: createdMs, lastChangedUs: createdMs * 1000 };
		this.instances.set(instance.id, rec);
		this.instanceEvents.set(instance.id, []);
		const emit = opts.emitEvents ?? true;
		this.muteAuditLog = opts.auditLog === false;
		this.logEvent(rec, 'Created', actor, createdMs);
		this.startProcess(rec, actor, createdMs, emit);
		if (emit) this.emitAppEvent(rec, 'app.instance.created', createdMs);

		const firstTask = app.processTasks[0]?.id;
		for (const dt of app.dataTypes) {
			if (dt.appLogic?.autoCreate && (dt.taskId ?? firstTask) === firstTask && !opts.data?.some((d) => d.dataType === dt.id)) {
				this.addDataElement(rec, { dataType: dt.id, content: opts.formData ?? {} }, actor, createdMs);
			}
		}
		for (const d of opts.data ?? []) this.addDataElement(rec, d, actor, createdMs);
		if (opts.task) {
			while (rec.instance.process?.currentTask && rec.instance.process.currentTask.elementId !== opts.task) {
				this.moveProcess(rec, actor, createdMs, emit);
			}
		}
		for (const stakeholder of opts.confirmedBy ?? []) this.confirmComplete(rec, { org: stakeholder }, createdMs);
		this.setLastChanged(rec, opts.lastChanged !== undefined ? toMs(opts.lastChanged) : createdMs, by);
		this.muteAuditLog = false;
		return rec;
	}

	/**
	 * Bulk seeding: `count` instances, quickly (no app events and no instance event log unless asked).
	 * `lastChanged(i)` picks each one's timestamp; give a constant to make them all equal.
	 */
	createInstances(
		count: number,
		opts: Omit<CreateInstanceOptions, 'lastChanged' | 'created'> & {
			lastChanged?: (i: number) => Date | string | number;
			created?: (i: number) => Date | string | number;
		},
	): InstanceRecord[] {
		const out: InstanceRecord[] = [];
		for (let i = 0; i < count; i++) {
			out.push(
				this.createInstance({
					...opts,
					emitEvents: opts.emitEvents ?? false,
					auditLog: opts.auditLog ?? false,
					created: opts.created?.(i),
					lastChanged: opts.lastChanged?.(i),
				}),
			);
		}
		return out;
	}

	/**
	 * Sets `lastChanged` directly (tests: move an instance between query pages). A time in text keeps
	 * its microseconds; `microsecond` adds some to a time in milliseconds.
	 */
	setLastChanged(rec: InstanceRecord, at: Date | string | number, by?: string, microsecond = 0): void {
		const us = typeof at === 'string' ? (toMicros(at) ?? Date.parse(at) * 1000) : toMs(at) * 1000 + microsecond;
		rec.lastChangedUs = us;
		rec.lastChangedMs = Math.floor(us / 1000);
		rec.instance.lastChanged = isoMicros(us);
		if (by) rec.instance.lastChangedBy = by;
	}

	/** Storage's own writes stamp `DateTime.UtcNow`, which has microseconds; the emulator's clock has milliseconds, so it makes some up. */
	private nextMicrosecond = 0;

	/** Every write: `lastChanged` (with microseconds), `lastChangedBy` and one instance event. */
	touch(rec: InstanceRecord, actor: Actor, eventType: string, extra: Record<string, unknown> = {}, atMs = this.now()): void {
		this.nextMicrosecond = (this.nextMicrosecond + 271) % 1000;
		this.setLastChanged(rec, atMs, actor.orgNumber ?? actor.org, this.nextMicrosecond);
		this.logEvent(rec, eventType, actor, atMs, extra);
	}

	logEvent(rec: InstanceRecord, eventType: string, actor: Actor, atMs: number, extra: Record<string, unknown> = {}): InstanceEventJson {
		if (this.muteAuditLog) return { eventType };
		const event: InstanceEventJson = {
			id: randomUUID(),
			instanceId: rec.instance.id,
			created: iso(atMs),
			eventType,
			instanceOwnerPartyId: rec.instance.instanceOwner.partyId,
			user: { ...(actor.org ? { orgId: actor.org } : {}), authenticationLevel: 3 },
			processInfo: snapshotProcess(rec.instance.process),
			...extra,
		};
		if (!event.processInfo) delete event.processInfo;
		this.instanceEvents.get(rec.instance.id)?.push(event);
		return event;
	}

	// ---------- process ----------

	private taskInfo(app: Application, index: number, atMs: number): Record<string, unknown> {
		const task = app.processTasks[index];
		return {
			flow: index + 2,
			started: iso(atMs),
			elementId: task.id,
			name: task.name ?? task.id,
			altinnTaskType: task.altinnTaskType,
			flowType: 'CompleteCurrentMoveToNext',
		};
	}

	private startProcess(rec: InstanceRecord, actor: Actor, atMs: number, emit: boolean): void {
		const app = this.appOf(rec);
		rec.instance.process = { started: iso(atMs), startEvent: 'StartEvent_1' };
		this.logEvent(rec, 'process_StartEvent', actor, atMs);
		if (app.processTasks.length > 0) {
			rec.instance.process.currentTask = this.taskInfo(app, 0, atMs);
			this.logEvent(rec, 'process_StartTask', actor, atMs);
			if (emit) this.emitAppEvent(rec, `app.instance.process.movedTo.${app.processTasks[0].id}`, atMs);
		} else this.endProcess(rec, actor, atMs, emit);
	}

	private endProcess(rec: InstanceRecord, actor: Actor, atMs: number, emit: boolean): void {
		const process = rec.instance.process;
		delete process.currentTask;
		process.ended = iso(atMs);
		process.endEvent = 'EndEvent_1';
		rec.instance.status.isArchived = true;
		rec.instance.status.archived = iso(atMs);
		this.logEvent(rec, 'process_EndEvent', actor, atMs);
		if (emit) this.emitAppEvent(rec, 'app.instance.process.completed', atMs);
	}

	/** Ends the current task and starts the next (or ends the process). No authorization or validation. */
	moveProcess(rec: InstanceRecord, actor: Actor = {}, atMs = this.now(), emit = true): void {
		const app = this.appOf(rec);
		const process = rec.instance.process;
		if (!process?.currentTask) throw new Error('Process has no current task');
		const index = app.processTasks.findIndex((t) => t.id === process.currentTask.elementId);
		process.currentTask.ended = iso(atMs);
		this.logEvent(rec, 'process_EndTask', actor, atMs);
		if (index + 1 < app.processTasks.length) {
			process.currentTask = this.taskInfo(app, index + 1, atMs);
			this.logEvent(rec, 'process_StartTask', actor, atMs);
			if (emit) this.emitAppEvent(rec, `app.instance.process.movedTo.${process.currentTask.elementId}`, atMs);
		} else this.endProcess(rec, actor, atMs, emit);
		this.setLastChanged(rec, atMs, actor.orgNumber ?? actor.org);
	}

	/** Test helper: moves the process forward `steps` times (or to the end with `'end'`). */
	advanceProcess(rec: InstanceRecord, steps: number | 'end' = 1, actor: Actor = {}): InstanceRecord {
		for (let i = 0; steps === 'end' ? !!rec.instance.process?.currentTask : i < steps; i++) this.moveProcess(rec, actor);
		return rec;
	}

	/** Test helper: runs the process to its end (archives the instance, emits `process.completed`). */
	completeProcess(rec: InstanceRecord, actor: Actor = {}): InstanceRecord {
		return this.advanceProcess(rec, 'end', actor);
	}

	/** Storage's process history, derived from the process_* instance events. */
	processHistory(rec: InstanceRecord): Array<Record<string, unknown>> {
		return (this.instanceEvents.get(rec.instance.id) ?? [])
			.filter((e) => String(e.eventType).startsWith('process_'))
			.map((e) => {
				const item: Record<string, unknown> = { eventType: e.eventType, occured: e.created };
				const p = e.processInfo ?? {};
				if (e.eventType === 'process_StartEvent') item.elementId = p.startEvent;
				else if (e.eventType === 'process_EndEvent') item.elementId = p.endEvent;
				else item.elementId = p.currentTask?.elementId;
				if (e.eventType === 'process_StartTask') item.started = e.created;
				if (e.eventType === 'process_EndTask') item.ended = e.created;
				item.performedBy = e.user?.orgId ?? '';
				return item;
			});
	}

	/**
	 * What app-lib's validators would say before leaving the current task: data types of the
	 * task whose `minCount` is not met (TooFewDataElementsOfType) and the app's required fields.
	 */
	async validateTask(rec: InstanceRecord): Promise<ValidationIssue[]> {
		const app = this.appOf(rec);
		const taskId = rec.instance.process?.currentTask?.elementId as string | undefined;
		if (!taskId) return [];
		const issues: ValidationIssue[] = [];
		const firstTask = app.processTasks[0]?.id;
		for (const dt of app.dataTypes) {
			if ((dt.taskId ?? (dt.appLogic ? firstTask : undefined)) !== taskId) continue;
			const count = (rec.instance.data as DataElementJson[]).filter((d) => d.dataType === dt.id).length;
			if (dt.minCount && count < dt.minCount) {
				issues.push({ severity: 1, code: 'TooFewDataElementsOfType', description: 'TooFewDataElementsOfType', field: dt.id, dataElementId: null, source: 'Required' });
			}
		}
		for (const rule of app.requiredFields ?? []) {
			const dt = app.dataTypes.find((d) => d.id === rule.dataType);
			if ((dt?.taskId ?? firstTask) !== taskId) continue;
			for (const el of (rec.instance.data as DataElementJson[]).filter((d) => d.dataType === rule.dataType)) {
				const blob = this.blobs.get(el.id);
				let model: unknown = {};
				try {
					model = blob ? JSON.parse((await readBlob(blob)).toString('utf8')) : {};
				} catch {
					model = {};
				}
				const value = rule.field.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), model);
				if (value === undefined || value === null || value === '') {
					issues.push({ severity: 1, code: 'required', description: `Field ${rule.field} is required`, field: rule.field, dataElementId: el.id, source: 'Required', customTextKey: 'backend.validation_errors.required' });
				}
			}
		}
		return issues;
	}

	// ---------- instance updates ----------

	/** Adds `{stakeholderId, confirmedOn}` once (idempotent). Returns false when already confirmed. */
	confirmComplete(rec: InstanceRecord, actor: Actor, atMs = this.now()): boolean {
		const list = (rec.instance.completeConfirmations ??= []) as Array<{ stakeholderId: string }>;
		if (list.some((c) => c.stakeholderId === actor.org)) return false;
		list.push({ stakeholderId: actor.org as string, confirmedOn: iso(atMs) } as { stakeholderId: string });
		this.touch(rec, actor, 'ConfirmedComplete', {}, atMs);
		return true;
	}

	/**
	 * Storage's substatus write: the status and a `SubstatusUpdated` instance event (audit log)
	 * only. It publishes no app event: altinn-storage `InstancesController.UpdateSubstatus`
	 * (d9364e40) dispatches an instance event and nothing else. The app's route publishes
	 * `app.instance.substatus.changed` itself (see apps.ts).
	 */
	setSubstatus(rec: InstanceRecord, substatus: { label: string; description?: string }, actor: Actor): void {
		rec.instance.status.substatus = { label: substatus.label, ...(substatus.description !== undefined ? { description: substatus.description } : {}) };
		this.touch(rec, actor, 'SubstatusUpdated');
	}

	/** Soft delete, or hard delete (`isHardDeleted` + `isSoftDeleted`), as Storage's DELETE does. */
	deleteInstance(rec: InstanceRecord, hard: boolean, actor: Actor): void {
		const at = iso(this.now());
		const status = rec.instance.status;
		status.isSoftDeleted = true;
		status.softDeleted ??= at;
		if (hard) {
			status.isHardDeleted = true;
			status.hardDeleted = at;
		}
		this.touch(rec, actor, 'Deleted');
	}

	// ---------- data elements ----------

	private appsBase(org: string): string {
		return this.urls.apps.replace('{org}', org);
	}

	/** Adds a data element; `content` may be form data (object), bytes, text or a Blob. */
	addDataElement(rec: InstanceRecord, input: DataInput, actor: Actor = {}, atMs = this.now(), extra: Record<string, unknown> = {}): DataElementJson {
		const app = this.appOf(rec);
		const dt = app.dataTypes.find((d) => d.id === input.dataType);
		const { blob, contentType } = toBlob(input, !!dt?.appLogic);
		const id = randomUUID();
		const [org, appName] = app.id.split('/');
		const [p, g] = rec.instance.id.split('/');
		const by = actor.orgNumber ?? actor.org ?? rec.instance.lastChangedBy;
		const at = iso(atMs);
		const element: DataElementJson = {
			id,
			instanceGuid: g,
			dataType: input.dataType,
			...(input.filename ? { filename: input.filename } : {}),
			contentType,
			blobStoragePath: `${org}/${appName}/${g}/data/${id}`,
			selfLinks: {
				apps: `${this.appsBase(org)}/${org}/${appName}/instances/${p}/${g}/data/${id}`,
				platform: `${this.urls.platform}/storage/api/v1/instances/${p}/${g}/data/${id}`,
			},
			size: blobSize(blob),
			locked: false,
			refs: [],
			isRead: true,
			tags: [],
			...extra,
			created: at,
			createdBy: by,
			lastChanged: at,
			lastChangedBy: by,
		};
		this.blobs.set(id, blob);
		(rec.instance.data as DataElementJson[]).push(element);
		this.touch(rec, actor, 'Created', { dataId: id }, atMs);
		return element;
	}

	/** Test helper: a data element whose `size` bytes are generated on read (see `generatedBlobSha256`). */
	addGeneratedDataElement(
		rec: InstanceRecord,
		opts: { dataType: string; size: number; seed?: number; contentType?: string; filename?: string },
	): { element: DataElementJson; sha256: () => Promise<string> } {
		const seed = opts.seed ?? 1;
		const element = this.addDataElement(rec, {
			dataType: opts.dataType,
			content: { kind: 'generated', size: opts.size, seed },
			contentType: opts.contentType ?? 'application/octet-stream',
			filename: opts.filename ?? `generated-${opts.size}.bin`,
		});
		return { element, sha256: () => generatedBlobSha256(opts.size, seed) };
	}

	dataElement(rec: InstanceRecord, dataId: string): DataElementJson | undefined {
		return (rec.instance.data as DataElementJson[]).find((d) => d.id === dataId);
	}

	replaceData(rec: InstanceRecord, element: DataElementJson, blob: Blob, contentType: string | undefined, filename: string | undefined, actor: Actor): DataElementJson {
		discardBlob(this.blobs.get(element.id));
		this.blobs.set(element.id, blob);
		const at = this.now();
		element.size = blobSize(blob);
		if (contentType) element.contentType = contentType;
		if (filename) element.filename = filename;
		element.lastChanged = iso(at);
		element.lastChangedBy = actor.orgNumber ?? actor.org;
		this.touch(rec, actor, 'Saved', { dataId: element.id }, at);
		return element;
	}

	/** Removes a data element, or with `delay` marks it hard-deleted (kept until process end). */
	deleteData(rec: InstanceRecord, element: DataElementJson, actor: Actor, delay = false): DataElementJson {
		if (delay) {
			element.deleteStatus = { isHardDeleted: true, hardDeleted: iso(this.now()) };
		} else {
			rec.instance.data = (rec.instance.data as DataElementJson[]).filter((d) => d.id !== element.id);
			discardBlob(this.blobs.get(element.id));
			this.blobs.delete(element.id);
		}
		this.touch(rec, actor, 'Deleted', { dataId: element.id });
		return element;
	}

	// ---------- app events ----------

	/** Publishes a CloudEvent for the instance if its app publishes events. */
	emitAppEvent(rec: InstanceRecord, type: string, atMs = this.now()): CloudEvent | undefined {
		const app = this.appOf(rec);
		if (!app.publishesEvents) return undefined;
		const [org, appName] = app.id.split('/');
		const [p] = rec.instance.id.split('/');
		const owner = rec.instance.instanceOwner;
		return this.pushEvent(app.id, {
			specversion: '1.0',
			id: randomUUID(),
			time: iso(atMs),
			source: `${this.appsBase(org)}/${org}/${appName}/instances/${rec.instance.id}`,
			subject: `/party/${p}`,
			type,
			...(owner.organisationNumber ? { alternativesubject: `/org/${owner.organisationNumber}` } : owner.personNumber ? { alternativesubject: `/person/${owner.personNumber}` } : {}),
			resource: `urn:altinn:resource:app_${org}_${appName}`,
			resourceinstance: rec.instance.id,
		}, atMs);
	}

	/** Test helper: appends an app event (any type), for an instance or a bare party, registered at `registered` (default: its time). */
	addAppEvent(appId: string, event: Partial<CloudEvent> & { type: string; instance?: InstanceRecord; registered?: number }): CloudEvent {
		const { instance, registered, ...rest } = event;
		const [org, appName] = appId.split('/');
		const p = instance ? instance.instance.id.split('/')[0] : '50000000';
		const instanceId = instance?.instance.id ?? `${p}/${randomUUID()}`;
		const owner = instance?.instance.instanceOwner ?? {};
		return this.pushEvent(appId, {
			...(owner.organisationNumber ? { alternativesubject: `/org/${owner.organisationNumber}` } : owner.personNumber ? { alternativesubject: `/person/${owner.personNumber}` } : {}),
			specversion: '1.0',
			id: randomUUID(),
			time: iso(this.now()),
			source: `${this.appsBase(org)}/${org}/${appName}/instances/${instanceId}`,
			subject: `/party/${p}`,
			resource: `urn:altinn:resource:app_${org}_${appName}`,
			resourceinstance: instanceId,
			...rest,
		}, registered ?? (rest.time ? Date.parse(rest.time) : this.now()));
	}

	private pushEvent(appId: string, event: CloudEvent, registeredMs: number): CloudEvent {
		const list = this.appEvents.get(appId) ?? [];
		list.push(event);
		this.appEvents.set(appId, list);
		for (const listener of this.eventListeners) listener(appId, event);
		this.registered.set(event, registeredMs);
		return event;
	}

	/** When Events registered each event (its `registeredtime` column; not part of the CloudEvent). */
	private readonly registered = new WeakMap<CloudEvent, number>();

	/** When Events registered an event (epoch ms). */
	eventRegisteredAt(event: CloudEvent): number {
		return this.registered.get(event) ?? 0;
	}

	/** Test helper: moves the registration of every event of an app back, as if that much time had passed. */
	ageEvents(appId: string, ms: number): void {
		for (const event of this.appEvents.get(appId) ?? []) this.registered.set(event, this.eventRegisteredAt(event) - ms);
	}

	/** Deletes temp files of uploads that spilled to disk. */
	dispose(): void {
		this.tempFiles.removeAll();
	}
}

/** A copy of the process state as it is now (its objects are mutated as the process moves). */
function snapshotProcess(process: InstanceJson | undefined): InstanceJson | undefined {
	if (!process) return undefined;
	return process.currentTask ? { ...process, currentTask: { ...process.currentTask } } : { ...process };
}

function toBlob(input: DataInput, isForm: boolean): { blob: Blob; contentType: string } {
	const c = input.content;
	if (c === undefined) return { blob: { kind: 'buffer', data: Buffer.from(isForm ? '{}' : '') }, contentType: input.contentType ?? (isForm ? 'application/json' : 'application/octet-stream') };
	if (Buffer.isBuffer(c)) return { blob: { kind: 'buffer', data: c }, contentType: input.contentType ?? 'application/octet-stream' };
	if (typeof c === 'string') return { blob: { kind: 'buffer', data: Buffer.from(c, 'utf8') }, contentType: input.contentType ?? 'text/plain' };
	if ('kind' in c && (c.kind === 'buffer' || c.kind === 'file' || c.kind === 'generated')) {
		return { blob: c as Blob, contentType: input.contentType ?? 'application/octet-stream' };
	}
	return { blob: { kind: 'buffer', data: Buffer.from(JSON.stringify(c), 'utf8') }, contentType: input.contentType ?? 'application/json' };
}

/** Sets `prefill` values ("a.b.c" -> value) into a form data model, as PrefillSI does. */
export function applyPrefill(model: Record<string, unknown>, prefill: Record<string, unknown>): Record<string, unknown> {
	for (const [key, value] of Object.entries(prefill)) {
		const path = key.split('.').map((s) => s.replace(/-/g, ''));
		let o: Record<string, unknown> = model;
		for (const seg of path.slice(0, -1)) {
			if (typeof o[seg] !== 'object' || o[seg] === null) o[seg] = {};
			o = o[seg] as Record<string, unknown>;
		}
		o[path[path.length - 1]] = value;
	}
	return model;
}
