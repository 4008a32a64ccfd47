/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets */
/**
 * A system vendor's onboarding through the Altinn node (System User resource), in real n8n-core
 * executions against the emulator: register the system, ask customers for system users, the
 * customer's decision, and then acting as the customer's system user with the same credential.
 */
import { APP_RESOURCE, createRequest, CUSTOMERS, instantiateAsSystemUser, REDIRECT, registerSystem, SYSTEM_ID, useVendorEnv, VENDOR_CLIENT } from './support/vendor';

const env = useVendorEnv();
const counter = (name: string) => env.emu.counters.get(`route.${name}`);
const getRequest = (requestId: string) => ({ resource: 'systemUser', operation: 'getRequest', findBy: 'id', requestId });

beforeAll(async () => {
	const { error, json } = await env.vendor(registerSystem());
	expect(error).toBeUndefined();
	expect(json[0]).toMatchObject({ id: SYSTEM_ID, clientId: [VENDOR_CLIENT] });
	expect(typeof json[0].internalId).toBe('string');
});

describe('register → request → approve → token → instantiate', () => {
	it('onboards a customer and then instantiates the app as its system user', async () => {
		const customer = CUSTOMERS[0];
		const created = await env.vendor(createRequest(customer, { redirectUrl: `${REDIRECT}?customer=1` }));
		expect(created.error).toBeUndefined();
		const request = created.json[0];
		expect(request).toMatchObject({ systemId: SYSTEM_ID, partyOrgNo: customer, externalRef: customer, status: 'New', isNewRequest: true });
		expect(request.confirmUrl).toBe(`https://am.ui.tt02.altinn.no/accessmanagement/ui/systemuser/request?id=${String(request.id)}&DONTCHOOSEREPORTEE=true`);

		// Before the customer decides, Maskinporten refuses the system user token.
		const early = await env.run(instantiateAsSystemUser(customer), { credential: 'cred-vendor' });
		expect(early.error?.message).toContain('invalid_altinn_customer_configuration');
		expect(early.error?.message).toContain('MP-303');
		expect(early.error?.description).toContain('Has the customer approved the system user request yet');

		expect(await env.decide(String(request.id), 'approve')).toBe(200);
		const after = await env.vendor(getRequest(String(request.id)));
		expect(after.json[0]).toMatchObject({ id: request.id, status: 'Accepted' });
		const found = await env.vendor({ resource: 'systemUser', operation: 'findSystemUser', systemId: SYSTEM_ID, customerOrg: customer });
		expect(found.json[0]).toMatchObject({ found: true, systemId: SYSTEM_ID, reporteeOrgNo: customer, externalRef: customer, userType: 'standard' });

		const grantsBefore = env.emu.maskinporten.acceptedGrants.length;
		const instance = await env.run(instantiateAsSystemUser(customer), { credential: 'cred-vendor' });
		expect(instance.error).toBeUndefined();
		expect(instance.json[0].instanceOwner).toMatchObject({ organisationNumber: customer });
		const grant = env.emu.maskinporten.acceptedGrants.slice(grantsBefore).find((g) => g.claims.authorization_details);
		expect(grant?.claims.authorization_details).toEqual([
			{ type: 'urn:altinn:systemuser', systemuser_org: { authority: 'iso6523-actorid-upis', ID: `0192:${customer}` } },
		]);
		// The external ref defaults to the org number, so naming it explicitly is the same system user.
		const explicit = await env.run(
			{ ...instantiateAsSystemUser(customer), requestOptions: { systemUserOrg: customer, systemUserExternalRef: customer } },
			{ credential: 'cred-vendor' },
		);
		expect(explicit.error).toBeUndefined();
	});

	it('reads a request back by system, customer and external ref', async () => {
		const customer = CUSTOMERS[5];
		const created = await env.vendor(createRequest(customer, { externalRef: 'contract-42' }));
		const byRef = await env.vendor({ resource: 'systemUser', operation: 'getRequest', findBy: 'externalRef', systemId: SYSTEM_ID, customerOrg: customer, externalRef: 'contract-42' });
		expect(byRef.error).toBeUndefined();
		expect(byRef.json[0]).toMatchObject({ id: created.json[0].id, externalRef: 'contract-42', status: 'New' });
	});
});

describe('the customer rejects', () => {
	it('keeps the request Rejected, answers a new request with it, and gives no token', async () => {
		const customer = CUSTOMERS[1];
		const created = await env.vendor(createRequest(customer));
		const id = String(created.json[0].id);
		expect(await env.decide(id, 'reject')).toBe(200);
		expect((await env.vendor(getRequest(id))).json[0].status).toBe('Rejected');
		// A rejected request must be deleted before a new one: asking again answers the rejected one.
		const again = await env.vendor(createRequest(customer));
		expect(again.json[0]).toMatchObject({ id, status: 'Rejected', isNewRequest: false });
		const token = await env.run(instantiateAsSystemUser(customer), { credential: 'cred-vendor' });
		expect(token.error?.message).toContain('MP-303');
		expect(env.emu.systemUsers.users.some((u) => u.reporteeOrgNo === customer)).toBe(false);
	});
});

describe('a duplicate request', () => {
	it('answers the earlier request while it is New, and AUTH-00004 once the system user exists', async () => {
		const customer = CUSTOMERS[2];
		const before = counter('systemuser.request.create');
		const first = await env.vendor(createRequest(customer));
		const second = await env.vendor(createRequest(customer));
		expect(first.json[0].isNewRequest).toBe(true);
		expect(second.json[0]).toMatchObject({ id: first.json[0].id, isNewRequest: false, status: 'New' });
		expect(counter('systemuser.request.create') - before).toBe(2);
		expect([...env.emu.systemUsers.requests.values()].filter((r) => r.partyOrgNo === customer)).toHaveLength(1);

		await env.decide(String(first.json[0].id), 'approve');
		const third = await env.vendor(createRequest(customer));
		expect(third.error?.message).toBe(
			`Altinn refused system user request for ${customer} (system ${SYSTEM_ID}): Failed to create new SystemUser, existing SystemUser tied to the given System-Id. (AUTH-00004)`,
		);
		expect(third.error?.description).toContain('no request is needed');
	});
});

describe('validation errors, with Altinn\'s codes and what to do', () => {
	const cases: Array<[string, () => Record<string, unknown>, string, string]> = [
		[
			'unknown system',
			() => createRequest(CUSTOMERS[3], { systemId: `${'312345679'}_no_such_system` }),
			'The Id does not refer to a Registered System. (AUTH-00011)',
			'Register it first',
		],
		[
			'a right the system did not register',
			() => createRequest(CUSTOMERS[3], { rightsUi: { right: [{ resourceId: 'app_ttd_quiet-app' }] } }),
			'One or more Right not found or not delegable. (AUTH-00001)',
			'each right must be one the system registered',
		],
		[
			'a redirect URL the system does not allow',
			() => createRequest(CUSTOMERS[3], { redirectUrl: 'https://elsewhere.example/done' }),
			'The RedirectUri was not found or not valid. (AUTH-00021)',
			"one of the system's Allowed Redirect URLs",
		],
		[
			'an access package the system did not register',
			() => createRequest(CUSTOMERS[3], { accessPackagesUi: { accessPackage: [{ urn: 'urn:altinn:accesspackage:ansvarlig-revisor' }] } }),
			'One or more accesspackage is not found in the referenced system in the System Register. (AUTH-00063)',
			'each must be one the system registered',
		],
		[
			'a customer Altinn does not know',
			() => createRequest('999999999'),
			"Can't resolve the Organisation Number from the logged in Reportee PartyId. (AUTH-00000)",
			'Check Customer Org Number',
		],
	];
	it.each(cases)('%s', async (_name, parameters, message, hint) => {
		const { error } = await env.vendor(parameters() as never);
		expect(error?.message).toContain(message);
		expect(error?.description).toContain(hint);
	});

	it('registering the same system twice: AUTH.VLD-00002 with the field path', async () => {
		const { error } = await env.vendor(registerSystem());
		// Altinn answers every validation error at once: the id, and the client id already on that system.
		expect(error?.message).toBe(`Altinn refused system ${SYSTEM_ID}: The system id already exists; One of the client id is already tagged with an existing system`);
		expect(error?.description).toContain('(AUTH.VLD-00002, /registersystemrequest/systemid) The system ID is taken');
		expect(error?.description).toContain('(AUTH.VLD-00004, /registersystemrequest/clientid) Check Client IDs');
	});

	it('a resource the resource register does not know: AUTH.VLD-00003', async () => {
		const { error } = await env.vendor(registerSystem({ systemId: '312345679_other', clientIds: '', rightsUi: { right: [{ resourceId: 'app_ttd_no-such-app' }] } }));
		expect(error?.message).toContain("One or more resources specified in rights were not found in Altinn's resource register.");
	});

	it('refuses a malformed System ID before calling Altinn', async () => {
		const before = env.emu.counters.get('route.systemuser.request.create');
		const { error } = await env.vendor(createRequest(CUSTOMERS[3], { systemId: 'my system' }));
		expect(error?.message).toBe('System ID "my system" is not a system register ID');
		expect(env.emu.counters.get('route.systemuser.request.create')).toBe(before);
	});

	it('names the missing scope when the token lacks it', async () => {
		const { error } = await env.run(registerSystem({ systemId: '405003309_x' }));
		expect(error?.message).toContain('403');
		expect(error?.description).toContain('altinn:authentication/systemregister.write');
	});
});

describe('agent requests and listing', () => {
	it('creates an agent request with a client access package', async () => {
		const { json, error } = await env.vendor({
			resource: 'systemUser',
			operation: 'createAgentRequest',
			systemId: SYSTEM_ID,
			customerOrg: CUSTOMERS[4],
			accessInput: 'json',
			accessPackagesJson: '["urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet"]',
		});
		expect(error).toBeUndefined();
		expect(json[0]).toMatchObject({ status: 'New', isNewRequest: true, accessPackages: [{ urn: 'urn:altinn:accesspackage:regnskapsforer-med-signeringsrettighet' }] });
		expect(String(json[0].confirmUrl)).toContain('/accessmanagement/ui/systemuser/agentrequest?id=');
		const read = await env.vendor({ resource: 'systemUser', operation: 'getRequest', requestKind: 'agent', findBy: 'id', requestId: String(json[0].id) });
		expect(read.json[0].id).toBe(json[0].id);
	});

	it('lists every system user of the system, following links.next', async () => {
		const approved = env.emu.systemUsers.users.filter((u) => u.systemId === SYSTEM_ID).length;
		expect(approved).toBeGreaterThanOrEqual(2);
		env.emu.systemUsers.pageSize = 1;
		try {
			const before = counter('systemuser.bysystem');
			const { json, error } = await env.vendor({ resource: 'systemUser', operation: 'listSystemUsers', systemId: SYSTEM_ID, returnAll: true });
			expect(error).toBeUndefined();
			expect(json).toHaveLength(approved);
			expect(new Set(json.map((u) => u.id)).size).toBe(approved);
			// One page per system user, and one more (full last page → empty page).
			expect(counter('systemuser.bysystem') - before).toBe(approved + 1);
			const limited = await env.vendor({ resource: 'systemUser', operation: 'listSystemUsers', systemId: SYSTEM_ID, returnAll: false, limit: 1 });
			expect(limited.json).toHaveLength(1);
		} finally {
			env.emu.systemUsers.pageSize = 50;
		}
	});

	it('Find System User says found: false when there is none', async () => {
		const { json } = await env.vendor({ resource: 'systemUser', operation: 'findSystemUser', systemId: SYSTEM_ID, customerOrg: CUSTOMERS[3] });
		expect(json[0]).toEqual({ found: false, systemId: SYSTEM_ID, reporteeOrgNo: CUSTOMERS[3], externalRef: CUSTOMERS[3] });
	});

	it('Update System adds a right, and the right can then be requested', async () => {
		const { error, json } = await env.vendor({
			...registerSystem(),
			operation: 'updateSystem',
			rightsUi: { right: [{ resourceId: APP_RESOURCE }, { resourceId: 'app_ttd_quiet-app' }] },
		});
		expect(error).toBeUndefined();
		expect(json[0].rights).toHaveLength(2);
		const created = await env.vendor(createRequest(CUSTOMERS[3], { rightsUi: { right: [{ resourceId: 'app_ttd_quiet-app' }] } }));
		expect(created.error).toBeUndefined();
		expect(created.json[0].isNewRequest).toBe(true);
	});
});

describe('requests per onboarded customer', () => {
	it('one POST for the request; then one grant, one exchange and one app call to instantiate as the system user', async () => {
		const customer = CUSTOMERS[3];
		const requests = () => env.emu.counters.snapshot();
		await env.vendor({ resource: 'systemUser', operation: 'getSystem', systemId: SYSTEM_ID }); // the vendor token is cached now
		const atStart = requests();
		const created = await env.vendor(createRequest(customer, { externalRef: 'per-customer' }));
		const afterRequest = requests();
		expect(afterRequest.requests - atStart.requests).toBe(1);
		await env.decide(String(created.json[0].id), 'approve');
		const afterDecision = requests();
		const instance = await env.run(
			{ ...instantiateAsSystemUser(customer), requestOptions: { systemUserOrg: customer, systemUserExternalRef: 'per-customer' } },
			{ credential: 'cred-vendor' },
		);
		expect(instance.error).toBeUndefined();
		const end = requests();
		const diff = (name: string) => (end[name] ?? 0) - (afterDecision[name] ?? 0);
		expect(diff('maskinporten.grants')).toBe(1);
		expect(diff('authentication.exchanges')).toBe(1);
		expect(diff('route.app.instances.create') + diff('route.app.instances.createPrefill')).toBe(1);
		expect(end.requests - afterDecision.requests).toBe(3);
	});
});
