/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets */
/**
 * The emulated system register and system user requests on the wire, as Altinn/altinn-authentication
 * (ad4f6f3) answers: scope policies, ProblemDetails with AUTH codes, validation problems, paging links.
 */
import { startEmulator, type Emulator } from './emulator';
import { SCOPES } from './emulator/systemUsers';
import { altinnToken } from './support/altinnTokens';

const VENDOR = '312345679';
const SYSTEM = `${VENDOR}_wire`;
let emu: Emulator;
let token: string;

const vendorToken = (scopes: string[]) =>
	altinnToken(emu, { org: null, orgNumber: VENDOR, scopes, claims: { consumer: { authority: 'iso6523-actorid-upis', ID: `0192:${VENDOR}` } } });
const call = async (method: string, path: string, body?: unknown, bearer = token) => {
	const res = await fetch(`${emu.url}/authentication/api/v1${path}`, {
		method,
		headers: { Authorization: `Bearer ${bearer}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
		body: body ? JSON.stringify(body) : undefined,
	});
	const text = await res.text();
	return { status: res.status, type: res.headers.get('content-type'), body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, text };
};
const system = (extra: Record<string, unknown> = {}) => ({
	id: SYSTEM,
	vendor: { authority: 'iso6523-actorid-upis', ID: `0192:${VENDOR}` },
	name: { nb: 'Wire' },
	description: { nb: 'Wire' },
	rights: [{ resource: [{ id: 'urn:altinn:resource', value: 'app_ttd_demo-app' }] }],
	clientId: ['wire-client'],
	allowedRedirectUrls: ['https://vendor.example/done'],
	...extra,
});

beforeAll(async () => {
	emu = await startEmulator();
	emu.world.addApplication({ id: 'ttd/demo-app', org: 'ttd', title: { nb: 'Demo' }, dataTypes: [] } as never);
	for (let i = 1; i <= 3; i++) emu.world.addParty({ orgNumber: `31300000${i}`, name: `KUNDE ${i}` });
	token = await vendorToken(Object.values(SCOPES));
});
afterAll(async () => await emu.close());

it('answers 401 without a token and an empty 403 without the scope', async () => {
	expect((await call('GET', '/systemregister/vendor', undefined, 'nope')).status).toBe(401);
	const noScope = await call('POST', '/systemregister/vendor', system(), await vendorToken([SCOPES.requestRead]));
	expect(noScope).toMatchObject({ status: 403, text: '' });
	// request.read does not open the write endpoints (exact scope, AuthenticationHost.cs)
	const readOnly = await call('POST', '/systemuser/request/vendor', { systemId: SYSTEM, partyOrgNo: '313000001' }, await vendorToken([SCOPES.requestRead]));
	expect(readOnly.status).toBe(403);
});

it('registers a system (200 with its GUID) and refuses a second with AUTH.VLD codes and paths', async () => {
	const created = await call('POST', '/systemregister/vendor', system());
	expect(created.status).toBe(200);
	expect(created.text).toMatch(/^"[0-9a-f-]{36}"$/);
	const again = await call('POST', '/systemregister/vendor', system({ allowedRedirectUrls: ['http://insecure.example'] }));
	expect(again.status).toBe(400);
	expect(again.type).toContain('application/problem+json');
	expect(again.body).toMatchObject({ title: 'One or more validation errors occurred.', status: 400, code: 'STD-00000' });
	expect((again.body!.errors as Array<{ code: string; paths: string[] }>).map((e) => [e.code, e.paths[0]])).toEqual([
		['AUTH.VLD-00002', '/registersystemrequest/systemid'],
		['AUTH.VLD-00005', '/registersystemrequest/allowedredirecturls'],
		['AUTH.VLD-00004', '/registersystemrequest/clientid'],
	]);
	// another vendor's org in the body: empty 403 (HasWriteAccess)
	const foreign = await call('POST', '/systemregister/vendor', system({ id: '999999999_x', vendor: { authority: 'iso6523-actorid-upis', ID: '0192:999999999' }, clientId: [] }));
	expect(foreign).toMatchObject({ status: 403, text: '' });
});

it('answers a request with 201 and Location, a repeat with 200, and unknown ids with AUTH-00010', async () => {
	const body = { systemId: SYSTEM, partyOrgNo: '313000001', rights: system().rights };
	const first = await call('POST', '/systemuser/request/vendor', body);
	expect(first.status).toBe(201);
	expect(first.body).toMatchObject({ status: 'New', externalRef: '313000001', partyOrgNo: '313000001' });
	const second = await call('POST', '/systemuser/request/vendor', body);
	expect(second.status).toBe(200);
	expect(second.body!.id).toBe(first.body!.id);
	const unknown = await call('GET', '/systemuser/request/vendor/00000000-0000-0000-0000-000000000000');
	expect(unknown).toMatchObject({ status: 404, body: { code: 'AUTH-00010', title: 'The Id does not refer to a Request in our system.' } });
	const missing = await call('POST', '/systemuser/request/vendor', { partyOrgNo: '313000001' });
	expect(missing.status).toBe(400);
	expect(missing.body!.errors).toHaveProperty('SystemId');
});

it('pages requests with an absolute links.next until it is null', async () => {
	for (const org of ['313000002', '313000003']) {
		expect((await call('POST', '/systemuser/request/vendor', { systemId: SYSTEM, partyOrgNo: org, rights: system().rights })).status).toBe(201);
	}
	emu.systemUsers.pageSize = 2;
	const ids: unknown[] = [];
	let next: string | null = `/systemuser/request/vendor/bysystem/${SYSTEM}`;
	let pages = 0;
	while (next) {
		const page = await call('GET', next.replace(`${emu.url}/authentication/api/v1`, ''));
		expect(page.status).toBe(200);
		ids.push(...(page.body!.data as Array<{ id: string }>).map((r) => r.id));
		next = (page.body!.links as { next: string | null }).next;
		if (next) expect(next.startsWith(`${emu.url}/authentication/api/v1/systemuser/request/vendor/bysystem/${SYSTEM}?token=`)).toBe(true);
		pages++;
	}
	expect(new Set(ids).size).toBe(3);
	expect(pages).toBe(2);
	emu.systemUsers.pageSize = 50;
});

it('byquery: 404 with no body before approval, the system user after', async () => {
	const query = `/systemuser/vendor/byquery?system-id=${SYSTEM}&orgno=313000001`;
	expect(await call('GET', query)).toMatchObject({ status: 404, text: '' });
	const request = [...emu.systemUsers.requests.values()].find((r) => r.partyOrgNo === '313000001')!;
	emu.systemUsers.decide(request.id, 'approve');
	const found = await call('GET', query);
	expect(found.status).toBe(200);
	expect(found.body).toMatchObject({ systemId: SYSTEM, reporteeOrgNo: '313000001', supplierOrgno: VENDOR, externalRef: '313000001', userType: 'standard' });
	expect(found.body).not.toHaveProperty('rights');
	const exists = await call('POST', '/systemuser/request/vendor', { systemId: SYSTEM, partyOrgNo: '313000001', rights: system().rights });
	expect(exists).toMatchObject({ status: 400, body: { code: 'AUTH-00004' } });
});
