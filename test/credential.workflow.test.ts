/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets */
/**
 * The Maskinporten credential through real n8n-core code paths against the emulator:
 * preAuthentication (with the CLI's rules, via TestCredentialsHelper), function-form
 * authenticate, the 401 retry, the credential Test button (the node method n8n's CredentialsTester
 * calls), and the cost of 1,000 authenticated requests.
 */
import { CredentialTestContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { MaskinportenApi } from '../credentials/MaskinportenApi.credentials';
import { Altinn } from '../nodes/Altinn/Altinn.node';
import { AltinnEventsTrigger } from '../nodes/AltinnEventsTrigger/AltinnEventsTrigger.node';
import { AltinnTrigger } from '../nodes/AltinnTrigger/AltinnTrigger.node';
import { clearTokenCache } from '../credentials/maskinporten';
import { startEmulator, type Emulator } from './emulator';
import { allowLoopbackRequests, runWorkflow, TestCredentialsHelper, TestNodeTypes } from './harness';
import { EDITOR_DEFAULTS, emulatorJwkCredential } from './support/credentials';
import { business, fixture, fixtureKey, testKey } from './support/keys';

const READ = 'altinn:serviceowner/instances.read';
const TTD_ORG = '405003309';
const CRED = 'maskinporten-1';

/** Test-only node: `requests` authenticated GETs to `path` on the credential's Altinn platform. */
class TokenProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Token Probe',
		name: 'tokenProbe',
		group: ['transform'],
		version: 1,
		description: 'Makes authenticated requests with the Maskinporten credential',
		defaults: { name: 'Token Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'maskinportenApi', required: true }],
		properties: [
			{ displayName: 'Path', name: 'path', type: 'string', default: '/storage/api/v1/instances?org=ttd' },
			{ displayName: 'Requests', name: 'requests', type: 'number', default: 1 },
			{ displayName: 'Concurrent', name: 'concurrent', type: 'boolean', default: false },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const credentials = await this.getCredentials('maskinportenApi');
		const path = this.getNodeParameter('path', 0) as string;
		const requests = this.getNodeParameter('requests', 0) as number;
		const concurrent = this.getNodeParameter('concurrent', 0) as boolean;
		const one = async () =>
			(await this.helpers.httpRequestWithAuthentication.call(this, 'maskinportenApi', {
				method: 'GET',
				url: `${credentials.altinnPlatformUrl as string}${path}`,
				json: true,
			})) as IDataObject;
		const results: IDataObject[] = [];
		if (concurrent) results.push(...(await Promise.all(Array.from({ length: requests }, one))));
		else for (let i = 0; i < requests; i++) results.push(await one());
		return [[{ json: { requests: results.length, first: results[0] } }]];
	}
}

let emu: Emulator;
const key = testKey('workflow-key');
const nodeTypes = new TestNodeTypes([new TokenProbe()]);
let clientId: string;

const credentialData = (over: Record<string, unknown> = {}) =>
	emulatorJwkCredential(emu, key, clientId, READ, { ...EDITOR_DEFAULTS, ...over });

function store(over: Record<string, unknown> = {}): TestCredentialsHelper {
	const helper = new TestCredentialsHelper([new MaskinportenApi()]);
	helper.add({ id: CRED, name: 'Maskinporten (emulator)', type: 'maskinportenApi', data: credentialData(over) });
	return helper;
}

const probe = (parameters: INodeParameters = {}) => ({
	name: 'Token Probe',
	type: 'n8n-nodes-altinn.tokenProbe',
	parameters,
	credentials: { maskinportenApi: CRED },
});

const grants = () => emu.counters.get('maskinporten.grants');
const exchanges = () => emu.counters.get('authentication.exchanges');

beforeAll(async () => {
	emu = await startEmulator();
	emu.world.addServiceOwner({ code: 'ttd', orgNumber: TTD_ORG, name: 'Testdepartementet' });
	clientId = 'workflow-client';
	emu.maskinporten.registerClient({ clientId, orgNumber: TTD_ORG, scopes: [READ], jwks: [key.publicJwk] });
	allowLoopbackRequests();
});
afterAll(async () => await emu.close());
beforeEach(() => {
	clearTokenCache();
	emu.counters.reset();
	emu.faults.clear();
});

describe('preAuthentication and authenticate in a workflow', () => {
	it('first use: one grant + exchange, token persisted on the credential, Bearer sent, Storage answers', async () => {
		const credentials = store();
		const run = await runWorkflow({ nodes: [probe()], nodeTypes, credentials });
		expect(run.status).toBe('success');
		expect(run.json()[0]).toMatchObject({ requests: 1, first: { instances: [] } });
		const token = credentials.getStoredData(CRED).accessToken as string;
		expect(token.split('.')).toHaveLength(3);
		expect(credentials.counters.preAuthenticationRuns).toBe(1);
		expect(credentials.counters.updates).toBe(1);
		expect([grants(), exchanges()]).toEqual([1, 1]);
		expect(emu.counters.get('route.storage.instances.query')).toBe(1);
	});

	it('a persisted token is used as is by the next execution (no preAuthentication, no grant)', async () => {
		const credentials = store();
		await runWorkflow({ nodes: [probe()], nodeTypes, credentials });
		clearTokenCache(); // even a fresh process reuses the token stored on the credential
		const second = await runWorkflow({ nodes: [probe()], nodeTypes, credentials });
		expect(second.status).toBe('success');
		expect(credentials.counters.preAuthenticationRuns).toBe(1);
		expect([grants(), exchanges()]).toEqual([1, 1]);
	});

	it('a 401 (expired token on the credential) triggers preAuthentication(expired), a fresh token and one retry', async () => {
		const credentials = store();
		await runWorkflow({ nodes: [probe()], nodeTypes, credentials });
		const first = credentials.getStoredData(CRED).accessToken;
		emu.faults.add({ route: 'storage.instances.query', status: 401, times: 1 });
		const run = await runWorkflow({ nodes: [probe()], nodeTypes, credentials });
		expect(run.status).toBe('success');
		expect(credentials.counters.preAuthenticationExpiredRuns).toBe(1);
		// staleToken: the cached token was exactly the rejected one, so a fresh grant was made.
		expect([grants(), exchanges()]).toEqual([2, 2]);
		expect(credentials.getStoredData(CRED).accessToken).not.toBe(first);
		expect(emu.counters.get('route.storage.instances.query')).toBe(3);
	});

	it('a garbage token stored on the credential is replaced after the 401', async () => {
		const credentials = store({ accessToken: 'eyJub3QiOiJ2YWxpZCJ9.e30.x' });
		const run = await runWorkflow({ nodes: [probe()], nodeTypes, credentials });
		expect(run.status).toBe('success');
		expect(credentials.counters.preAuthenticationExpiredRuns).toBe(1);
		expect([grants(), exchanges()]).toEqual([1, 1]);
	});

	it('a credential error stops the node with the explanation as description, and no token in it', async () => {
		const credentials = store({ clientId: 'unknown-client' });
		const run = await runWorkflow({ nodes: [probe()], nodeTypes, credentials });
		const error = run.error();
		expect(error?.message).toMatch(/^Maskinporten refused the token request \(HTTP 400 invalid_grant\): MP-100: Invalid assertion\. Client authentication failed\. Client not found \(trace_id: [0-9a-f]{32}\)$/);
		expect(error?.description).toContain('Maskinporten does not know client "unknown-client"');
		expect(JSON.stringify(run.run.data)).not.toMatch(/eyJ/);
	});

	it('bad settings name the field before any request', async () => {
		const credentials = store({ consumerOrg: '123' });
		const run = await runWorkflow({ nodes: [probe()], nodeTypes, credentials });
		expect(run.error()?.message).toBe(
			'Maskinporten credential: Consumer Org Number "123" is not an organisation number. Enter the 9 digits of the organisation number (e.g. 910753614), or leave it empty.',
		);
		expect(run.error()?.description).toBe('Open the Maskinporten credential and correct the field named in the message.');
		expect(emu.counters.get('requests')).toBe(0);
	});
});

describe('every key format and optional claim through a workflow', () => {
	const pkcs1 = fixtureKey('pkcs1.key.pem', 'wf-pkcs1');
	const variants: Array<[string, Record<string, unknown>, (header: Record<string, unknown>, claims: Record<string, unknown>) => void]> = [
		['JWK as base64 (EncodedJwk)', { jwk: key.jwkBase64 }, (h) => expect(h).toEqual({ alg: 'RS256', kid: key.kid })],
		['PEM PKCS#8 + Key ID', { keyType: 'pem', privateKey: key.pkcs8, keyId: key.kid }, (h) => expect(h.kid).toBe(key.kid)],
		['PEM PKCS#1 + Key ID', { keyType: 'pem', privateKey: fixture('pkcs1.key.pem'), keyId: 'wf-pkcs1' }, (h) => expect(h.kid).toBe('wf-pkcs1')],
		['business certificate chain', { keyType: 'certificate', privateKey: business.key(), certificate: business.chain() }, (h) => expect((h.x5c as string[]).length).toBe(2)],
		['RS512', { algorithm: 'RS512' }, (h) => expect(h.alg).toBe('RS512')],
		['resource', { resource: 'urn:altinn:resource:demo' }, (_h, c) => expect(c.resource).toEqual(['urn:altinn:resource:demo'])],
		[
			'system user with external reference',
			{ systemUserOrg: '310000002', systemUserExternalRef: 'ext-1' },
			(_h, c) =>
				expect(c.authorization_details).toEqual([
					{ type: 'urn:altinn:systemuser', systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:310000002' }, externalRef: 'ext-1' },
				]),
		],
	];

	it.each(variants)('%s', async (name, over, check) => {
		const id = `wf-${name.replace(/\W+/g, '-')}`;
		emu.maskinporten.registerClient({
			clientId: id,
			orgNumber: TTD_ORG,
			scopes: [READ],
			jwks: [key.publicJwk, pkcs1.publicJwk],
			certificates: { trustedCaPem: fixture('ca.cert.pem') },
			systemUsers: [{ orgNumber: '310000002', externalRef: 'ext-1' }],
			allowedResources: ['urn:altinn:resource:demo'],
		});
		const credentials = store({ clientId: id, ...over });
		const run = await runWorkflow({ nodes: [probe()], nodeTypes, credentials });
		expect(run.status).toBe('success');
		const accepted = emu.maskinporten.acceptedGrants.filter((grant) => grant.clientId === id);
		expect(accepted).toHaveLength(1);
		check(accepted[0].header as Record<string, unknown>, accepted[0].claims as Record<string, unknown>);
		expect([grants(), exchanges()]).toEqual([1, 1]);
	});
});

describe('cost', () => {
	it('1,000 authenticated requests across 20 executions within one token lifetime: exactly 1 grant and 1 exchange', async () => {
		const credentials = store();
		for (let execution = 0; execution < 20; execution++) {
			const run = await runWorkflow({ nodes: [probe({ requests: 50 })], nodeTypes, credentials });
			expect(run.json()[0].requests).toBe(50);
		}
		expect(emu.counters.get('route.storage.instances.query')).toBe(1000);
		expect([grants(), exchanges()]).toEqual([1, 1]);
		expect(credentials.counters.preAuthenticationRuns).toBe(1);
	});

	it('the same 1,000 requests all at once (20 concurrent executions × 50 concurrent requests): still 1 grant and 1 exchange', async () => {
		const credentials = store();
		const runs = await Promise.all(
			Array.from({ length: 20 }, async () => await runWorkflow({ nodes: [probe({ requests: 50, concurrent: true })], nodeTypes, credentials })),
		);
		expect(runs.every((run) => run.status === 'success')).toBe(true);
		expect(emu.counters.get('route.storage.instances.query')).toBe(1000);
		// Every request found the credential empty and ran preAuthentication; single-flight made one grant.
		expect(credentials.counters.preAuthenticationRuns).toBeGreaterThan(1);
		expect([grants(), exchanges()]).toEqual([1, 1]);
	});
});

/**
 * n8n's CredentialsTester for this package (n8n 2.41, credentials-tester.service.ts): the credential
 * type has no `test` request, so n8n calls the node method named by `testedBy` in a
 * CredentialTestContext, with the data the dialog sent (for a saved credential, the stored token too).
 */
async function testCredential(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const altinn = new Altinn();
	const entry = altinn.description.credentials!.find((c) => c.name === 'maskinportenApi')!;
	const method = altinn.methods.credentialTest[entry.testedBy as keyof typeof altinn.methods.credentialTest];
	const credential: ICredentialsDecrypted = { id: CRED, name: 'Maskinporten (emulator)', type: 'maskinportenApi', data };
	return await method.call(new CredentialTestContext(), credential);
}

describe('credential test button', () => {
	it('is a node method linked by testedBy on both nodes, never a test request on the credential (n8n prefers that one)', () => {
		expect('test' in new MaskinportenApi()).toBe(false);
		for (const node of [new Altinn(), new AltinnTrigger(), new AltinnEventsTrigger()]) {
			const entry = node.description.credentials!.find((c) => c.name === 'maskinportenApi')!;
			expect(entry.testedBy).toBe('maskinportenApiTest');
			expect(typeof node.methods.credentialTest.maskinportenApiTest).toBe('function');
		}
	});

	it('a saved credential with a stored token: a fresh grant and exchange, proven at /authentication/api/v1/refresh', async () => {
		const credentials = store();
		await runWorkflow({ nodes: [probe()], nodeTypes, credentials });
		const stored = credentials.getStoredData(CRED);
		expect(typeof stored.accessToken).toBe('string');
		emu.counters.reset();
		// the token is both stored on the credential and cached in this process: the test uses neither
		expect(await testCredential({ ...stored })).toMatchObject({ status: 'OK' });
		expect([grants(), exchanges()]).toEqual([1, 1]);
		expect(emu.counters.get('authentication.refreshes')).toBe(1);
		expect((await testCredential({ ...stored })).status).toBe('OK');
		expect([grants(), exchanges()]).toEqual([2, 2]);
		expect(credentials.getStoredData(CRED).accessToken).toBe(stored.accessToken);
	});

	it('an unsaved wrong Client ID fails, with the fix in the message, though a valid token is stored', async () => {
		const credentials = store();
		await runWorkflow({ nodes: [probe()], nodeTypes, credentials });
		const stored = credentials.getStoredData(CRED);
		const result = await testCredential({ ...stored, clientId: 'wrong-client-id' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/MP-100/);
		expect(result.message).toContain('Check Client ID');
		expect(credentials.getStoredData(CRED).accessToken).toBe(stored.accessToken);
	});

	it('an unsaved Maskinporten URL that does not exist fails', async () => {
		const stored = { ...credentialData(), accessToken: 'stored.token.value' };
		const result = await testCredential({ ...stored, maskinportenUrl: `${emu.url}/no-such-maskinporten/` });
		expect(result.status).toBe('Error');
		expect(grants()).toBe(0);
	});

	it('a new credential with the same settings as a cached one still gets its own grant', async () => {
		await runWorkflow({ nodes: [probe()], nodeTypes, credentials: store() });
		emu.counters.reset();
		expect((await testCredential(credentialData())).status).toBe('OK');
		expect([grants(), exchanges()]).toEqual([1, 1]);
	});

	it('with the exchange off, the granted Maskinporten token is the proof', async () => {
		expect((await testCredential(credentialData({ exchangeToAltinn: false }))).status).toBe('OK');
		expect([grants(), exchanges()]).toEqual([1, 0]);
	});

	it('says precisely what failed and what to do: Maskinporten rejection', async () => {
		const result = await testCredential(credentialData({ scopes: `${READ} skd:not-mine` }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^Maskinporten refused the token request \(HTTP 400 invalid_scope\): MP-200: Token request contains invalid scopes for client: skd:not-mine/);
		expect(result.message).toContain('Add the missing scopes to the client in Samarbeidsportalen');
	});

	it('says precisely what failed and what to do: bad key material', async () => {
		const result = await testCredential(credentialData({ jwk: JSON.stringify(key.publicJwk) }));
		expect(result).toEqual({
			status: 'Error',
			message:
				'Maskinporten credential: Private JWK has no private part ("d"): this is the public key you registered in Maskinporten. Paste the private JWK, which also has d, p, q, dp, dq and qi. Correct that field and test again.',
		});
	});

	it('says precisely what failed and what to do: exchange refused', async () => {
		const other = await startEmulator();
		try {
			const result = await testCredential(credentialData({ altinnPlatformUrl: other.url }));
			expect(result.message).toMatch(/^Altinn's token exchange refused the Maskinporten token \(HTTP 401\)\. /);
			expect(result.message).toContain('Usually the environments do not match');
		} finally {
			await other.close();
		}
	});
});

describe('authenticate with the HTTP Request node', () => {
	it('accepts the legacy request shape (uri, no url) and leaves an absolute target alone', async () => {
		const legacy = { method: 'GET', uri: 'https://platform.tt02.altinn.no/storage/api/v1/applications/ttd' };
		const options = await new MaskinportenApi().authenticate(
			{ environment: 'test', accessToken: 'token-value' },
			legacy as unknown as Parameters<MaskinportenApi['authenticate']>[1],
		);
		expect(options.headers).toMatchObject({ Authorization: 'Bearer token-value' });
		expect(options.baseURL).toBeUndefined();
	});
});
