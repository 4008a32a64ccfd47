/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Emulated Altinn Authentication for system vendors: the system register, system user requests
 * (standard and agent) and the vendor's view of system users. Source: Altinn/altinn-authentication
 * at commit ad4f6f3 (2026-07-17):
 *   - `src/Authentication/Controllers/SystemRegisterController.cs`        (system register)
 *   - `src/Authentication/Controllers/RequestSystemUserController.cs`     (requests, confirmUrl)
 *   - `src/Authentication/Services/RequestSystemUserService.cs`           (request validation order)
 *   - `src/Authentication/Controllers/SystemUserController.cs`            (vendor/bysystem, vendor/byquery)
 *   - `src/Core/Problems/Problem.cs` (AUTH-000NN), `src/Core/Errors/ValidationErrors.cs` (AUTH.VLD-000NN)
 *   - `src/Authentication/AuthenticationHost.cs` (scope policies: exact scope, systemregister.write or .admin)
 *
 * Routes (under /authentication/api/v1):
 *   POST systemregister/vendor                  route `systemregister.create`   → 200 the new system's GUID (JSON string)
 *   GET  systemregister/vendor                  route `systemregister.list`
 *   GET  systemregister/vendor/{systemId}       route `systemregister.get`      → 404 empty, 403 empty for another vendor
 *   PUT  systemregister/vendor/{systemId}       route `systemregister.update`   → 200 `{ "succeeded": true }`
 *   POST systemuser/request/vendor              route `systemuser.request.create`        201, or 200 with the earlier request
 *   POST systemuser/request/vendor/agent        route `systemuser.request.createAgent`
 *   GET  systemuser/request/vendor/{id}         route `systemuser.request.get`   (and …/vendor/agent/{id})
 *   GET  systemuser/request/vendor/byexternalref/{systemId}/{orgNo}/{externalRef} (and …/vendor/agent/byexternalref/…)
 *   GET  systemuser/request/vendor/bysystem/{systemId}  (and …/vendor/agent/bysystem/…) paged: `{ links: { next }, data }`
 *   DELETE systemuser/request/vendor/{id}       route `systemuser.request.delete` → 202
 *   GET  systemuser/vendor/bysystem/{systemId}  route `systemuser.bysystem`  paged; scope systemregister.write
 *   GET  systemuser/vendor/byquery?system-id=&orgno=&external-ref=  route `systemuser.byquery`; 404 empty when none
 * Emulator only (not part of the real API; in reality the customer decides in Altinn's UI at confirmUrl):
 *   POST /emulator/systemuser/request/{id}/{approve|reject}   route `emulator.systemuser.decide`
 *
 * An approved request becomes a system user, and Maskinporten then issues system-user tokens for that
 * customer to every client id of the system (the clients must be registered with `emu.maskinporten`).
 * Before that Maskinporten answers MP-303 (see maskinporten.ts `checkSystemUser`).
 *
 * Registry (`emu.systemUsers`): `systems`, `requests`, `users`, `pageSize` (real default 50,
 * appsettings.json `PaginationOptions.Size`), `resources` (extra resource ids the resource register knows
 * besides `app_{org}_{app}` of every app), `accessPackages` (known packages, `forClients` marks the
 * packages meant for client relations), `decide(id, 'approve' | 'reject')`.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import { authenticateAltinn, type AltinnPrincipal } from './authentication';
import type { EmulatorContext } from './context';
import { type EmulatorRequest, type Router, sendEmpty, sendJson, sendJsonString, sendText } from './http';
import type { MaskinportenRegistry } from './maskinporten';

const API = '/authentication/api/v1';
export const SCOPES = {
	registerWrite: 'altinn:authentication/systemregister.write',
	registerAdmin: 'altinn:authentication/systemregister.admin',
	requestWrite: 'altinn:authentication/systemuser.request.write',
	requestRead: 'altinn:authentication/systemuser.request.read',
};
/** RequestSystemUserController: CONFIRMURL_PREFIX + GeneralSettings.HostName + path + id + REPORTEESELECTIONPARAMETER. */
const CONFIRM_HOST = 'https://am.ui.tt02.altinn.no';
const CONFIRM_STANDARD = '/accessmanagement/ui/systemuser/request?id=';
const CONFIRM_AGENT = '/accessmanagement/ui/systemuser/agentrequest?id=';
const REPORTEE_PARAMETER = '&DONTCHOOSEREPORTEE=true';

export interface AttributePair {
	id: string;
	value: string;
}
export interface Right {
	action?: string;
	resource: AttributePair[];
}
export interface AccessPackage {
	urn: string;
}

/** RegisteredSystemResponse (Core/Models/SystemRegisters/RegisteredSystemResponse.cs), as the vendor GET returns it. */
export interface RegisteredSystem {
	id: string;
	vendor: { authority: string; ID: string };
	name: Record<string, string>;
	description: Record<string, string>;
	rights: Right[];
	accessPackages: AccessPackage[];
	isDeleted: boolean;
	clientId: string[];
	isVisible: boolean;
	allowedRedirectUrls: string[];
}

export type RequestStatus = 'New' | 'Accepted' | 'Rejected' | 'Denied' | 'Timedout';

/** RequestSystemResponse / AgentRequestSystemResponse (Core/Models/SystemUsers). */
export interface SystemUserRequest {
	id: string;
	kind: 'standard' | 'agent';
	integrationTitle?: string;
	externalRef: string;
	systemId: string;
	partyOrgNo: string;
	rights: Right[];
	accessPackages: AccessPackage[];
	status: RequestStatus;
	redirectUrl?: string;
	escalated: boolean;
	created: string;
	/** Vendor org number (from the token that made the request). */
	vendorOrgNo: string;
	/** Order of creation, for paging. */
	sequenceNo: number;
}

/** SystemUserExternalDTO (Core/Models/SystemUserExternalDTO.cs). */
export interface SystemUserRecord {
	id: string;
	integrationTitle: string;
	systemId: string;
	productName: string;
	reporteeOrgNo: string;
	created: string;
	isDeleted: boolean;
	supplierName: string;
	supplierOrgno: string;
	externalRef: string;
	userType: 'standard' | 'agent';
	sequenceNo: number;
	/** Emulator: what the customer delegated (the request's rights), used by the apps' PDP. */
	rights: Right[];
}

export interface SystemUserRegistry {
	systems: Map<string, RegisteredSystem>;
	requests: Map<string, SystemUserRequest>;
	users: SystemUserRecord[];
	pageSize: number;
	resources: Set<string>;
	accessPackages: Map<string, { forClients: boolean }>;
	/** The customer's decision (emulator only). Approving creates the system user. */
	decide(requestId: string, decision: 'approve' | 'reject'): SystemUserRequest;
	/** The system user of a customer for a system, as Maskinporten looks it up. */
	findUser(systemId: string, orgNo: string, externalRef: string): SystemUserRecord | undefined;
}

/** Problem.cs descriptors used here: code, HTTP status, title (the descriptor's message). */
export const PROBLEMS = {
	reporteeNotFound: [0, 400, "Can't resolve the Organisation Number from the logged in Reportee PartyId."],
	rightsNotFound: [1, 400, 'One or more Right not found or not delegable.'],
	systemUserExists: [4, 400, 'Failed to create new SystemUser, existing SystemUser tied to the given System-Id.'],
	requestNotFound: [10, 404, 'The Id does not refer to a Request in our system.'],
	systemIdNotFound: [11, 404, 'The Id does not refer to a Registered System.'],
	redirectUriNotFound: [21, 400, 'The RedirectUri was not found or not valid.'],
	noRedirectUris: [26, 400, 'No redirect uris are set for the system'],
	agentRequestNotFound: [30, 404, 'The Id does not refer to an AgentRequest in our system.'],
	missingAccessPackage: [58, 400, 'No AccessPackages found, an Agent SystemUser must have at least one'],
	missingRightsOrPackages: [59, 400, 'No AccessPackages or Single Rights found, a SystemUser must have at least one'],
	accessPackageNotFound: [63, 400, 'One or more accesspackage is not found in the referenced system in the System Register.'],
	notDelegableStandard: [64, 400, 'One or more access packages cannot be delegated. Either they are intended for clients or they cannot be delegated further.'],
	notDelegableAgent: [65, 400, 'One or more access packages cannot be delegated because they are not intended for client relationships'],
} as const satisfies Record<string, readonly [number, number, string]>;
type ProblemName = keyof typeof PROBLEMS;

/** ValidationErrors.cs descriptors (AUTH.VLD-000NN) with the paths of ErrorPathConstant.cs. */
const VALIDATION = {
	orgIdentifier: [0, 'the org number identifier is not valid ISO6523 identifier', '/registersystemrequest/vendor/id'],
	systemIdFormat: [1, 'The system id does not match the format orgnumber_xxxx...', '/registersystemrequest/systemid'],
	systemIdExists: [2, 'The system id already exists', '/registersystemrequest/systemid'],
	resourceNotFound: [3, "One or more resources specified in rights were not found in Altinn's resource register.", '/registersystemrequest/rights/resource'],
	clientIdExists: [4, 'One of the client id is already tagged with an existing system', '/registersystemrequest/clientid'],
	redirectUrlFormat: [5, 'One or more of the redirect urls format is not valid. The valid format is https://xxx.xx', '/registersystemrequest/allowedredirecturls'],
	duplicateRights: [6, 'One or more duplicate rights found', '/registersystemrequest/rights/resource'],
	duplicatePackages: [7, 'One or more duplicate access package(s) found', '/registersystemrequest/accesspackages'],
	packageNotValid: [8, "One or all the accesspackage(s) is not found in altinn's access packages or is not delegable", '/registersystemrequest/accesspackages'],
	resourceIdFormat: [9, 'One or more resource id is in wrong format. The valid format is urn:altinn:resource', '/registersystemrequest/rights/resource'],
	duplicateClientIds: [11, 'Request contains duplicate client ids', '/registersystemrequest/clientid'],
	systemIdMismatch: [12, 'The system ID in the request body does not match the system ID in the URL', '/registersystemrequest/systemid'],
	systemIdSpaces: [13, 'System ID cannot have spaces in id (leading, trailing or in between the id)', '/registersystemrequest/systemid'],
} as const satisfies Record<string, readonly [number, string, string]>;
type ValidationName = keyof typeof VALIDATION;

const code = (prefix: string, n: number) => `${prefix}-${String(n).padStart(5, '0')}`;
const traceId = () => `00-${randomUUID().replace(/-/g, '')}-${randomUUID().replace(/-/g, '').slice(0, 16)}-01`;
const PROBLEM_TYPE: Record<number, string> = {
	400: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
	404: 'https://tools.ietf.org/html/rfc9110#section-15.5.5',
};

/**
 * AltinnProblemDetails (Altinn.Authorization.ProblemDetails): the descriptor's message is the title,
 * `code` carries AUTH-000NN. The `type` (ASP.NET's default per status) and `traceId` are (inferred).
 */
function sendAuthProblem(res: ServerResponse, name: ProblemName): void {
	const [n, status, title] = PROBLEMS[name];
	sendJson(
		res,
		status,
		{ type: PROBLEM_TYPE[status], title, status, code: code('AUTH', n), traceId: traceId() },
		{ 'Content-Type': 'application/problem+json; charset=utf-8' },
	);
}

/**
 * AltinnValidationProblemDetails: title "One or more validation errors occurred.", code STD-00000 and
 * `errors: [{ code: AUTH.VLD-000NN, detail, paths }]` (shape per the ProblemDetails library; (inferred) for
 * everything but the codes and messages, which come from ValidationErrors.cs).
 */
function sendValidationProblem(res: ServerResponse, names: ValidationName[]): void {
	sendJson(
		res,
		400,
		{
			type: PROBLEM_TYPE[400],
			title: 'One or more validation errors occurred.',
			status: 400,
			code: 'STD-00000',
			traceId: traceId(),
			errors: names.map((name) => {
				const [n, detail, path] = VALIDATION[name];
				return { code: code('AUTH.VLD', n), detail, paths: [path] };
			}),
		},
		{ 'Content-Type': 'application/problem+json; charset=utf-8' },
	);
}

/** ASP.NET [ApiController] model validation (required fields, unreadable JSON): the framework's own shape. */
function sendModelProblem(res: ServerResponse, errors: Record<string, string[]>): void {
	sendJson(
		res,
		400,
		{ type: PROBLEM_TYPE[400], title: 'One or more validation errors occurred.', status: 400, errors, traceId: traceId() },
		{ 'Content-Type': 'application/problem+json; charset=utf-8' },
	);
}

/** The vendor org number from the Altinn token's `consumer` claim (RetrieveOrgNoFromToken). */
function vendorOrgOf(principal: AltinnPrincipal): string | undefined {
	const consumer = principal.claims.consumer as { ID?: unknown } | undefined;
	const id = typeof consumer?.ID === 'string' ? consumer.ID : undefined;
	return id?.includes(':') ? id.split(':')[1] : id;
}

const orgOfVendorId = (id: string) => (id.includes(':') ? id.split(':')[1] : id);
const sameRight = (a: Right, b: Right) =>
	a.resource.length === b.resource.length && a.resource.every((p) => b.resource.some((q) => q.id === p.id && q.value === p.value));

export function registerSystemUsers(router: Router, ctx: EmulatorContext, maskinporten: MaskinportenRegistry): SystemUserRegistry {
	let sequence = 0;
	const registry: SystemUserRegistry = {
		systems: new Map(),
		requests: new Map(),
		users: [],
		pageSize: 50,
		resources: new Set(),
		accessPackages: new Map([
			['urn:altinn:accesspackage:skattegrunnlag', { forClients: false }],
			['urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet', { forClients: true }],
			['urn:altinn:accesspackage:ansvarlig-revisor', { forClients: true }],
		]),
		decide(requestId, decision) {
			const request = registry.requests.get(requestId);
			if (!request) throw new Error(`No system user request ${requestId}`);
			if (request.status !== 'New') throw new Error(`Request ${requestId} is ${request.status}, not New`);
			if (decision === 'reject') {
				request.status = 'Rejected';
				return request;
			}
			request.status = 'Accepted';
			const system = registry.systems.get(request.systemId)!;
			const user: SystemUserRecord = {
				id: randomUUID(),
				integrationTitle: request.integrationTitle ?? system.name.nb ?? system.id,
				systemId: system.id,
				productName: system.name.nb ?? system.id,
				reporteeOrgNo: request.partyOrgNo,
				created: new Date().toISOString(),
				isDeleted: false,
				supplierName: ctx.world.serviceOwnerByOrgNumber(request.vendorOrgNo)?.name ?? '',
				supplierOrgno: request.vendorOrgNo,
				externalRef: request.externalRef,
				userType: request.kind,
				sequenceNo: ++sequence,
				rights: request.rights,
			};
			registry.users.push(user);
			// Maskinporten learns of the system user (in reality through Altinn's system user lookup):
			// every client id of the system may now get tokens for this customer. An externalRef equal to the
			// org number is the API's default (RequestSystemUserService: empty externalRef := partyOrgNo), so a
			// grant without externalRef matches it (inferred).
			for (const clientId of system.clientId) {
				maskinporten.client(clientId)?.systemUsers.push({
					orgNumber: user.reporteeOrgNo,
					externalRef: user.externalRef === user.reporteeOrgNo ? undefined : user.externalRef,
					id: user.id,
					systemId: system.id,
				});
			}
			return request;
		},
		findUser: (systemId, orgNo, externalRef) =>
			registry.users.find((u) => !u.isDeleted && u.systemId === systemId && u.reporteeOrgNo === orgNo && u.externalRef === externalRef),
	};

	const knownResource = (value: string) =>
		registry.resources.has(value) || [...ctx.world.applications.keys()].some((id) => value === `app_${id.replace('/', '_')}`);

	/** The Altinn token and its scope policy: empty 401 without a valid token, empty 403 without the scope. */
	async function caller(req: EmulatorRequest, res: ServerResponse, anyOf: string[]): Promise<AltinnPrincipal | undefined> {
		const principal = await authenticateAltinn(ctx, req.headers.authorization);
		if (!principal) {
			req.raw.resume();
			sendEmpty(res, 401);
			return undefined;
		}
		if (!anyOf.some((s) => principal.scopes.includes(s))) {
			req.raw.resume();
			sendEmpty(res, 403);
			return undefined;
		}
		return principal;
	}

	async function jsonBody(req: EmulatorRequest, res: ServerResponse): Promise<Record<string, unknown> | undefined> {
		const text = (await req.body()).toString('utf8');
		try {
			const parsed = JSON.parse(text) as unknown;
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
		} catch {
			// answered below
		}
		sendModelProblem(res, { $: ['The JSON value could not be converted.'] });
		return undefined;
	}

	// ---------------------------------------------------------------- system register
	const validateRights = (rights: Right[]): ValidationName[] => {
		const errors: ValidationName[] = [];
		const values = rights.flatMap((r) => r.resource ?? []);
		if (values.some((p) => p.id !== 'urn:altinn:resource' || !p.value)) errors.push('resourceIdFormat');
		else if (values.some((p) => !knownResource(p.value))) errors.push('resourceNotFound');
		if (rights.some((r, i) => rights.findIndex((o) => sameRight(o, r)) !== i)) errors.push('duplicateRights');
		return errors;
	};
	const validatePackages = (packages: AccessPackage[]): ValidationName[] => {
		const errors: ValidationName[] = [];
		if (packages.some((p) => !registry.accessPackages.has(p.urn))) errors.push('packageNotValid');
		if (packages.some((p, i) => packages.findIndex((o) => o.urn === p.urn) !== i)) errors.push('duplicatePackages');
		return errors;
	};
	const validRedirect = (urls: string[]) =>
		urls.every((u) => {
			try {
				return new URL(u).protocol === 'https:';
			} catch {
				return false;
			}
		});

	/** RegisterSystemRequest with its defaults (Rights, AccessPackages, ClientId, AllowedRedirectUrls = [], IsVisible = true). */
	function systemFrom(body: Record<string, unknown>): { system: RegisteredSystem } | { missing: Record<string, string[]> } {
		const missing: Record<string, string[]> = {};
		for (const name of ['id', 'vendor', 'name', 'description']) {
			if (body[name] === undefined || body[name] === null) missing[name] = [`The ${name[0].toUpperCase()}${name.slice(1)} field is required.`];
		}
		if (Object.keys(missing).length) return { missing };
		const vendor = body.vendor as { authority?: unknown; ID?: unknown };
		const system: RegisteredSystem = {
			id: String(body.id).trim(),
			vendor: { authority: String(vendor.authority ?? ''), ID: String(vendor.ID ?? '') },
			name: body.name as Record<string, string>,
			description: body.description as Record<string, string>,
			rights: (body.rights as Right[] | null) ?? [],
			accessPackages: (body.accessPackages as AccessPackage[] | null) ?? [],
			isDeleted: false,
			clientId: (body.clientId as string[] | null) ?? [],
			isVisible: body.isVisible === undefined ? true : body.isVisible === true,
			allowedRedirectUrls: (body.allowedRedirectUrls as string[] | null) ?? [],
		};
		return { system };
	}

	router.add('POST', `${API}/systemregister/vendor`, 'systemregister.create', async (req, res) => {
		const principal = await caller(req, res, [SCOPES.registerWrite, SCOPES.registerAdmin]);
		if (!principal) return;
		const body = await jsonBody(req, res);
		if (!body) return;
		const read = systemFrom(body);
		if ('missing' in read) return sendModelProblem(res, read.missing);
		const system = read.system;
		// SystemRegisterController.CreateRegisteredSystem: an invalid vendor identifier answers alone, first.
		if (!/^0192:\d{9}$/.test(system.vendor.ID)) return sendValidationProblem(res, ['orgIdentifier']);
		const errors: ValidationName[] = [];
		if (/\s/.test(system.id)) errors.push('systemIdSpaces');
		if (!system.id.startsWith(`${orgOfVendorId(system.vendor.ID)}_`)) errors.push('systemIdFormat');
		if (registry.systems.has(system.id)) errors.push('systemIdExists');
		if (!validRedirect(system.allowedRedirectUrls)) errors.push('redirectUrlFormat');
		if (system.clientId.some((c) => [...registry.systems.values()].some((s) => !s.isDeleted && s.clientId.includes(c)))) errors.push('clientIdExists');
		errors.push(...validateRights(system.rights), ...validatePackages(system.accessPackages));
		// HasWriteAccess is checked after validation is computed but before it is answered.
		if (orgOfVendorId(system.vendor.ID) !== vendorOrgOf(principal)) return sendEmpty(res, 403);
		if (errors.length) return sendValidationProblem(res, errors);
		registry.systems.set(system.id, system);
		sendJson(res, 200, randomUUID());
	});

	router.add('GET', `${API}/systemregister/vendor`, 'systemregister.list', async (req, res) => {
		const principal = await caller(req, res, [SCOPES.registerWrite, SCOPES.registerAdmin]);
		if (!principal) return;
		const vendor = vendorOrgOf(principal);
		sendJson(res, 200, [...registry.systems.values()].filter((s) => orgOfVendorId(s.vendor.ID) === vendor && !s.isDeleted));
	});

	router.add('GET', `${API}/systemregister/vendor/:systemId`, 'systemregister.get', async (req, res) => {
		const principal = await caller(req, res, [SCOPES.registerWrite, SCOPES.registerAdmin]);
		if (!principal) return;
		const system = registry.systems.get(req.params.systemId);
		if (!system) return sendEmpty(res, 404);
		if (orgOfVendorId(system.vendor.ID) !== vendorOrgOf(principal)) return sendEmpty(res, 403);
		sendJson(res, 200, system);
	});

	router.add('PUT', `${API}/systemregister/vendor/:systemId`, 'systemregister.update', async (req, res) => {
		const principal = await caller(req, res, [SCOPES.registerWrite, SCOPES.registerAdmin]);
		if (!principal) return;
		const body = await jsonBody(req, res);
		if (!body) return;
		const systemId = req.params.systemId;
		const current = registry.systems.get(systemId);
		// UpdateWholeRegisteredSystem: NotFound($"System with ID '{systemId}' not found.") is a string result (text).
		if (!current) return sendText(res, 404, `System with ID '${systemId}' not found.`);
		if (orgOfVendorId(current.vendor.ID) !== vendorOrgOf(principal)) return sendEmpty(res, 403);
		const read = systemFrom(body);
		if ('missing' in read) return sendModelProblem(res, read.missing);
		const proposed = read.system;
		if (proposed.vendor.ID !== current.vendor.ID) return sendText(res, 404, `System with ID '${systemId}' not found.`);
		if (proposed.id !== systemId) return sendValidationProblem(res, ['systemIdMismatch']);
		const errors: ValidationName[] = [...validateRights(proposed.rights), ...validatePackages(proposed.accessPackages)];
		if (proposed.clientId.some((c, i) => proposed.clientId.findIndex((o) => o.toLowerCase() === c.toLowerCase()) !== i)) errors.push('duplicateClientIds');
		if (proposed.clientId.some((c) => [...registry.systems.values()].some((s) => s !== current && !s.isDeleted && s.clientId.includes(c)))) errors.push('clientIdExists');
		if (errors.length) return sendValidationProblem(res, errors);
		registry.systems.set(systemId, { ...proposed, isDeleted: false });
		// SystemRegisterUpdateResult(bool Succeeded) (Core/Models/SystemRegisters/SystemRegisterUpdateResult.cs)
		sendJson(res, 200, { succeeded: true });
	});

	// ---------------------------------------------------------------- requests
	const confirmUrl = (r: SystemUserRequest) => `${CONFIRM_HOST}${r.kind === 'agent' ? CONFIRM_AGENT : CONFIRM_STANDARD}${r.id}${REPORTEE_PARAMETER}`;
	const requestJson = (r: SystemUserRequest) => {
		const out: Record<string, unknown> = {
			id: r.id,
			integrationTitle: r.integrationTitle,
			externalRef: r.externalRef,
			systemId: r.systemId,
			partyOrgNo: r.partyOrgNo,
			...(r.kind === 'standard' ? { rights: r.rights } : {}),
			accessPackages: r.accessPackages,
			status: r.status,
			redirectUrl: r.redirectUrl ?? null,
			confirmUrl: confirmUrl(r),
			// AgentRequestSystemResponse.Escalated has no JsonPropertyName: the default camelCase policy names it too.
			escalated: r.escalated,
			created: r.created,
			timedOut: r.status === 'Timedout',
		};
		return out;
	};
	const findRequest = (kind: 'standard' | 'agent', systemId: string, orgNo: string, externalRef: string) =>
		[...registry.requests.values()].find(
			(r) => r.kind === kind && r.systemId === systemId && r.partyOrgNo === orgNo && r.externalRef === externalRef,
		);

	const createRequest = (kind: 'standard' | 'agent') => async (req: EmulatorRequest, res: ServerResponse) => {
		const principal = await caller(req, res, [SCOPES.requestWrite]);
		if (!principal) return;
		const body = await jsonBody(req, res);
		if (!body) return;
		const missing: Record<string, string[]> = {};
		if (typeof body.systemId !== 'string' || !body.systemId) missing.SystemId = ['The SystemId field is required.'];
		if (typeof body.partyOrgNo !== 'string' || !body.partyOrgNo) missing.PartyOrgNo = ['The PartyOrgNo field is required.'];
		if (kind === 'agent' && !Array.isArray(body.accessPackages)) missing.AccessPackages = ['The AccessPackages field is required.'];
		if (Object.keys(missing).length) return sendModelProblem(res, missing);
		const vendorOrgNo = vendorOrgOf(principal);
		if (!vendorOrgNo) return sendEmpty(res, 401); // Vendor_Orgno_NotFound
		const trim = (v: unknown) => (typeof v === 'string' ? v.trim() : undefined); // TrimStringsActionFilter
		const systemId = trim(body.systemId)!;
		const partyOrgNo = trim(body.partyOrgNo)!;
		const externalRef = trim(body.externalRef) || partyOrgNo;
		// RequestSystemUserController.CreateRequest: an existing system user → AUTH-00004; an earlier request that
		// has not timed out → 200 with that request, whatever its status.
		if (registry.findUser(systemId, partyOrgNo, externalRef)) return sendAuthProblem(res, 'systemUserExists');
		const earlier = findRequest(kind, systemId, partyOrgNo, externalRef);
		const system = registry.systems.get(systemId);
		if (earlier && earlier.status !== 'Timedout' && system && orgOfVendorId(system.vendor.ID) === vendorOrgNo) {
			return sendJson(res, 200, requestJson(earlier));
		}
		// RequestSystemUserService.CreateRequest / CreateAgentRequest, in this order.
		if (!system || system.isDeleted) return sendAuthProblem(res, 'systemIdNotFound');
		if (orgOfVendorId(system.vendor.ID) !== vendorOrgNo) return sendAuthProblem(res, 'systemIdNotFound');
		if (!ctx.world.findParty({ orgNumber: partyOrgNo })) return sendAuthProblem(res, 'reporteeNotFound');
		const redirectUrl = trim(body.redirectUrl);
		if (redirectUrl) {
			if (system.allowedRedirectUrls.length === 0) return sendAuthProblem(res, 'noRedirectUris');
			// AuthenticationHelper.ValidateRedirectUrl: equal up to the path (query and fragment ignored).
			const upToPath = (u: string) => {
				const url = new URL(u);
				return `${url.protocol}//${url.host}${url.pathname}`.toLowerCase();
			};
			let chosen: string;
			try {
				chosen = upToPath(redirectUrl);
			} catch {
				return sendAuthProblem(res, 'redirectUriNotFound'); // (inferred) the real one throws on new Uri()
			}
			if (!system.allowedRedirectUrls.some((u) => upToPath(u) === chosen)) return sendAuthProblem(res, 'redirectUriNotFound');
		}
		const rights = Array.isArray(body.rights) ? (body.rights as Right[]) : undefined;
		const packages = Array.isArray(body.accessPackages) ? (body.accessPackages as AccessPackage[]) : undefined;
		if (kind === 'standard') {
			if (!rights && !packages) return sendAuthProblem(res, 'rightsNotFound');
			if (!rights?.length && !packages?.length) return sendAuthProblem(res, 'missingRightsOrPackages');
			// SystemUserService.ValidateRights: each requested right must match a right the system registered.
			if (rights?.length && (rights.length > system.rights.length || !rights.every((r) => system.rights.some((s) => sameRight(s, { resource: r.resource ?? [] }))))) {
				return sendAuthProblem(res, 'rightsNotFound');
			}
		} else if (!packages?.length) {
			return sendAuthProblem(res, 'missingAccessPackage');
		}
		if (packages?.length) {
			// SystemUserService.ValidateAccessPackages: each package registered on the system, and meant for the request's kind.
			if (packages.length > system.accessPackages.length || !packages.every((p) => system.accessPackages.some((s) => s.urn === p.urn))) {
				return sendAuthProblem(res, 'accessPackageNotFound');
			}
			const forClients = (p: AccessPackage) => registry.accessPackages.get(p.urn)?.forClients === true;
			if (kind === 'standard' && packages.some(forClients)) return sendAuthProblem(res, 'notDelegableStandard');
			if (kind === 'agent' && !packages.every(forClients)) return sendAuthProblem(res, 'notDelegableAgent');
		}
		const created: SystemUserRequest = {
			id: randomUUID(),
			kind,
			integrationTitle: trim(body.integrationTitle) || system.name.nb,
			externalRef,
			systemId,
			partyOrgNo,
			rights: kind === 'standard' ? (rights ?? []) : [],
			accessPackages: packages ?? [],
			status: 'New',
			redirectUrl,
			escalated: false,
			created: new Date().toISOString(),
			vendorOrgNo,
			sequenceNo: ++sequence,
		};
		registry.requests.set(created.id, created);
		sendJson(res, 201, requestJson(created), { Location: `${ctx.urls.platform}/authentication/api/v1/systemuser/request/${created.id}` });
	};

	/** The request of this vendor, or an answer: 400 for a non-GUID id (model binding), AUTH-00010/30 when unknown. */
	const ownRequest = (kind: 'standard' | 'agent', principal: AltinnPrincipal, id: string, res: ServerResponse) => {
		if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
			sendModelProblem(res, { requestId: [`The value '${id}' is not valid.`] });
			return undefined;
		}
		const request = registry.requests.get(id.toLowerCase());
		if (!request || request.kind !== kind || request.vendorOrgNo !== vendorOrgOf(principal)) {
			sendAuthProblem(res, kind === 'agent' ? 'agentRequestNotFound' : 'requestNotFound');
			return undefined;
		}
		return request;
	};

	/** Paginated<T>: `{ links: { next }, data }`; next is an absolute URL with an opaque `token` (Url.Link). */
	const sendPage = <T extends { sequenceNo: number }>(req: EmulatorRequest, res: ServerResponse, all: T[], toJson: (t: T) => unknown) => {
		const after = Number(req.query.get('token') ?? '0') || 0;
		const rest = all.filter((x) => x.sequenceNo > after).sort((a, b) => a.sequenceNo - b.sequenceNo);
		const page = rest.slice(0, registry.pageSize);
		// Page.Create sets a continuation token when the page is full (inferred: the last page may thus link to an empty one).
		const next = page.length === registry.pageSize ? `${ctx.urls.platform}${req.path}?token=${page[page.length - 1].sequenceNo}` : null;
		sendJson(res, 200, { links: { next }, data: page.map(toJson) });
	};

	const requestRoutes = (kind: 'standard' | 'agent', prefix: string, label: string) => {
		router.add('POST', `${API}/systemuser/request/${prefix}`, `systemuser.request.create${label}`, createRequest(kind));
		router.add('GET', `${API}/systemuser/request/${prefix}/bysystem/:systemId`, `systemuser.request.bysystem${label}`, async (req, res) => {
			const principal = await caller(req, res, [SCOPES.requestRead]);
			if (!principal) return;
			const system = registry.systems.get(req.params.systemId);
			if (!system || orgOfVendorId(system.vendor.ID) !== vendorOrgOf(principal)) return sendAuthProblem(res, 'systemIdNotFound');
			const all = [...registry.requests.values()].filter((r) => r.kind === kind && r.systemId === system.id);
			sendPage(req, res, all, requestJson);
		});
		router.add('GET', `${API}/systemuser/request/${prefix}/byexternalref/:systemId/:orgNo/:externalRef`, `systemuser.request.byexternalref${label}`, async (req, res) => {
			const principal = await caller(req, res, [SCOPES.requestRead]);
			if (!principal) return;
			const { systemId, orgNo, externalRef } = req.params;
			const request = findRequest(kind, systemId, orgNo, externalRef);
			if (!request) return sendAuthProblem(res, 'requestNotFound');
			const system = registry.systems.get(systemId);
			if (!system || orgOfVendorId(system.vendor.ID) !== vendorOrgOf(principal)) return sendAuthProblem(res, 'systemIdNotFound');
			sendJson(res, 200, requestJson(request));
		});
		router.add('GET', `${API}/systemuser/request/${prefix}/:requestId`, `systemuser.request.get${label}`, async (req, res) => {
			const principal = await caller(req, res, [SCOPES.requestRead]);
			if (!principal) return;
			const request = ownRequest(kind, principal, req.params.requestId, res);
			if (request) sendJson(res, 200, requestJson(request));
		});
	};
	requestRoutes('agent', 'vendor/agent', 'Agent');
	requestRoutes('standard', 'vendor', '');

	router.add('DELETE', `${API}/systemuser/request/vendor/:requestId`, 'systemuser.request.delete', async (req, res) => {
		const principal = await caller(req, res, [SCOPES.requestWrite]);
		if (!principal) return;
		const id = req.params.requestId;
		const request = registry.requests.get(id.toLowerCase());
		if (!request || request.vendorOrgNo !== vendorOrgOf(principal)) return sendAuthProblem(res, 'requestNotFound');
		registry.requests.delete(request.id);
		sendEmpty(res, 202);
	});

	// ---------------------------------------------------------------- system users (vendor view)
	/** SystemUserExternalDTO: the record without the emulator's own fields. */
	const userJson = (u: SystemUserRecord) => {
		const external: Record<string, unknown> = { ...u };
		delete external.sequenceNo;
		delete external.rights;
		return external;
	};
	router.add('GET', `${API}/systemuser/vendor/bysystem/:systemId`, 'systemuser.bysystem', async (req, res) => {
		const principal = await caller(req, res, [SCOPES.registerWrite, SCOPES.registerAdmin]);
		if (!principal) return;
		const system = registry.systems.get(req.params.systemId);
		if (!system || orgOfVendorId(system.vendor.ID) !== vendorOrgOf(principal)) return sendAuthProblem(res, 'systemIdNotFound');
		sendPage(req, res, registry.users.filter((u) => u.systemId === system.id && !u.isDeleted), userJson);
	});
	router.add('GET', `${API}/systemuser/vendor/byquery`, 'systemuser.byquery', async (req, res) => {
		const principal = await caller(req, res, [SCOPES.requestWrite]);
		if (!principal) return;
		const systemId = req.query.get('system-id') ?? '';
		const orgNo = req.query.get('orgno') ?? '';
		const user = registry.findUser(systemId, orgNo, req.query.get('external-ref') || orgNo);
		if (!user || user.supplierOrgno !== vendorOrgOf(principal)) return sendEmpty(res, 404);
		sendJson(res, 200, userJson(user));
	});

	// ---------------------------------------------------------------- emulator only: the customer's decision
	router.add('POST', '/emulator/systemuser/request/:requestId/:decision', 'emulator.systemuser.decide', (req, res) => {
		const { requestId, decision } = req.params;
		if (decision !== 'approve' && decision !== 'reject') return sendJsonString(res, 404, 'Use /approve or /reject');
		const request = registry.requests.get(requestId.toLowerCase());
		if (!request) return sendJsonString(res, 404, `No system user request ${requestId}`);
		if (request.status !== 'New') return sendJsonString(res, 409, `The request is ${request.status}, not New`);
		sendJson(res, 200, requestJson(registry.decide(request.id, decision)));
	});

	return registry;
}

/**
 * The apps' PDP for a system user (emulator): the token's system user acts for its customer, and may
 * act on the customer's own party in an app whose resource `app_{org}_{app}` the customer delegated
 * (a right of the approved request). (inferred: the real PDP decides from the delegation in Access Management.)
 */
export function systemUserMay(registry: SystemUserRegistry | undefined, claims: Record<string, unknown>, appId: string, partyOrgNo: string | undefined): boolean {
	if (!registry || !partyOrgNo) return false;
	const details = Array.isArray(claims.authorization_details) ? (claims.authorization_details as Array<Record<string, unknown>>) : [];
	const entry = details.find((d) => d?.type === 'urn:altinn:systemuser');
	if (!entry) return false;
	const ids = entry.systemuser_id;
	const id = String(Array.isArray(ids) ? ids[0] : (ids ?? ''));
	const user = registry.users.find((u) => u.id === id && !u.isDeleted);
	if (!user || user.reporteeOrgNo !== partyOrgNo) return false;
	const resource = `app_${appId.replace('/', '_')}`;
	return user.rights.some((r) => r.resource.some((p) => p.id === 'urn:altinn:resource' && p.value === resource));
}
