/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets */
/**
 * The domain end to end against the strict emulated Maskinporten and Altinn exchange: every
 * key format and optional claim accepted, and every rejection explained with its fix. Also
 * checks that no message carries a key, a grant or a token.
 */
import { randomUUID } from 'node:crypto';
import * as jose from 'jose';

import {
	clearTokenCache,
	getAccessToken,
	MaskinportenError,
	type HttpCall,
	type HttpRequest,
} from '../credentials/maskinporten';
import { startEmulator, type Emulator } from './emulator';
import type { ClientDefinition } from './emulator/maskinporten';
import { emulatorJwkCredential } from './support/credentials';
import { business, fixture, fixtureKey, testKey, type TestKey } from './support/keys';

const READ = 'altinn:serviceowner/instances.read';
const WRITE = 'altinn:serviceowner/instances.write';
const SKD_ORG = '974761076';
const DIGDIR_ORG = '991825827';
const CERT_ORG = business.orgNumber; // Testdepartementet, ttd
const CUSTOMER_ORG = '310000002';
const fast = { retryDelaysMs: [1, 1] };

let emu: Emulator;
let other: Emulator;
let key: TestKey;
let otherKey: TestKey;

/** HttpCall over fetch; records every request so tests can look at what went out. */
const sent: HttpRequest[] = [];
const http: HttpCall = async (request) => {
	sent.push(request);
	const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body });
	return { statusCode: response.status, body: await response.text() };
};

beforeAll(async () => {
	emu = await startEmulator();
	other = await startEmulator();
	key = testKey('emu-key');
	otherKey = testKey('emu-other-key');
	emu.world.addServiceOwner({ code: 'skd', orgNumber: SKD_ORG, name: 'Skatteetaten' });
	emu.world.addServiceOwner({ code: 'digdir', orgNumber: DIGDIR_ORG, name: 'Digitaliseringsdirektoratet' });
	emu.world.addServiceOwner({ code: 'ttd', orgNumber: CERT_ORG, name: 'Testdepartementet' });
});
afterAll(async () => {
	await emu.close();
	await other.close();
});
beforeEach(() => {
	clearTokenCache();
	emu.counters.reset();
	emu.faults.clear();
	sent.length = 0;
});
afterEach(() => {
	emu.knobs.clockOffsetSec = 0;
});

function client(def: Partial<ClientDefinition> = {}): string {
	const clientId = def.clientId ?? `client-${randomUUID()}`;
	emu.maskinporten.registerClient({ orgNumber: SKD_ORG, scopes: [READ, WRITE], jwks: [key.publicJwk], ...def, clientId });
	return clientId;
}

const credentials = (clientId: string, over: Record<string, unknown> = {}): Record<string, unknown> =>
	emulatorJwkCredential(emu, key, clientId, READ, over);

async function altinnClaims(token: string) {
	return jose.decodeJwt(token);
}

async function failure(creds: Record<string, unknown>, call: HttpCall = http): Promise<MaskinportenError> {
	const error = await getAccessToken(call, creds, { client: fast }).then(
		() => undefined,
		(e: unknown) => e,
	);
	if (!(error instanceof MaskinportenError)) throw new Error(`expected a MaskinportenError, got ${String(error)}`);
	return error;
}

describe('accepted by the emulator', () => {
	it('JWK (raw JSON): grant + exchange give an Altinn service-owner token, once', async () => {
		const id = client();
		const issued = await getAccessToken(http, credentials(id));
		const claims = await altinnClaims(issued.token);
		expect(claims['urn:altinn:org']).toBe('skd');
		expect(claims['urn:altinn:orgNumber']).toBe(SKD_ORG);
		expect(claims.client_id).toBe(id);
		expect(issued.expiresAt).toBe(claims.exp! * 1000);
		expect(emu.counters.get('maskinporten.grants')).toBe(1);
		expect(emu.counters.get('authentication.exchanges')).toBe(1);
		// The exchange answered text/plain (no JSON Accept header was sent).
		expect(sent[1].headers.Accept).toBe('text/plain');
	});

	it("JWK (base64, Altinn's EncodedJwk)", async () => {
		const id = client();
		await getAccessToken(http, credentials(id, { jwk: key.jwkBase64 }));
		expect(emu.counters.get('maskinporten.grants')).toBe(1);
	});

	it('PEM PKCS#8 with Key ID', async () => {
		const id = client();
		await getAccessToken(http, credentials(id, { keyType: 'pem', privateKey: key.pkcs8, keyId: key.kid }));
		expect(emu.maskinporten.acceptedGrants.at(-1)?.header).toEqual({ alg: 'RS256', kid: key.kid });
	});

	it('PEM PKCS#1 (the fixture) with Key ID', async () => {
		const pkcs1 = fixtureKey('pkcs1.key.pem', 'pkcs1-kid');
		const id = client({ jwks: [pkcs1.publicJwk] });
		await getAccessToken(http, credentials(id, { keyType: 'pem', privateKey: fixture('pkcs1.key.pem'), keyId: 'pkcs1-kid' }));
		expect(emu.counters.get('maskinporten.grants')).toBe(1);
	});

	it('business certificate chain (x5c, no kid) for the certificate owner', async () => {
		const id = client({ orgNumber: CERT_ORG, jwks: undefined, certificates: { trustedCaPem: fixture('ca.cert.pem') } });
		const issued = await getAccessToken(http, credentials(id, { keyType: 'certificate', privateKey: business.key(), certificate: business.chain() }));
		expect((await altinnClaims(issued.token))['urn:altinn:org']).toBe('ttd');
		expect(Object.keys(emu.maskinporten.acceptedGrants.at(-1)!.header).sort()).toEqual(['alg', 'x5c']);
	});

	it.each(['RS384', 'RS512'])('signs with %s', async (algorithm) => {
		const id = client();
		await getAccessToken(http, credentials(id, { algorithm }));
		expect(emu.maskinporten.acceptedGrants.at(-1)?.header.alg).toBe(algorithm);
	});

	it('resource: the raw Maskinporten token is audience-restricted (exchange off, lifetime from expires_in)', async () => {
		const id = client({ allowedResources: ['https://api.example.no/'] });
		const before = Date.now();
		const issued = await getAccessToken(http, credentials(id, { exchangeToAltinn: false, resource: 'https://api.example.no/' }));
		expect(jose.decodeJwt(issued.token).aud).toEqual(['https://api.example.no/']);
		expect(issued.expiresAt).toBeGreaterThanOrEqual(before + emu.knobs.maskinportenTokenLifetimeSec * 1000);
		expect(emu.counters.get('authentication.exchanges')).toBe(0);
	});

	it('consumer_org: a supplier gets a token for the customer who delegated the scope', async () => {
		const id = client({ delegations: [{ consumerOrg: CUSTOMER_ORG, scopes: ['skd:delegated'] }] });
		const issued = await getAccessToken(http, credentials(id, { exchangeToAltinn: false, scopes: 'skd:delegated', consumerOrg: CUSTOMER_ORG }));
		const claims = jose.decodeJwt(issued.token);
		expect(claims.consumer).toEqual({ authority: 'iso6523-actorid-upis', ID: `0192:${CUSTOMER_ORG}` });
		expect(claims.supplier).toEqual({ authority: 'iso6523-actorid-upis', ID: `0192:${SKD_ORG}` });
	});

	it('system user with external reference: authorization_details survive the exchange', async () => {
		const id = client({ systemUsers: [{ orgNumber: CUSTOMER_ORG, externalRef: 'customer-42' }] });
		const issued = await getAccessToken(http, credentials(id, { systemUserOrg: CUSTOMER_ORG, systemUserExternalRef: 'customer-42' }));
		const details = (await altinnClaims(issued.token)).authorization_details as Array<Record<string, unknown>>;
		expect(details[0]).toMatchObject({ type: 'urn:altinn:systemuser', systemuser_org: { id: `0192:${CUSTOMER_ORG}` } });
	});

	it('system user per request (node override) on top of the credential', async () => {
		const id = client({ systemUsers: [{ orgNumber: '310000003' }] });
		const issued = await getAccessToken(http, credentials(id), { overrides: { systemUserOrg: '0192:310000003' } });
		expect(JSON.stringify((await altinnClaims(issued.token)).authorization_details)).toContain('0192:310000003');
	});

	it('Altinn test org: Digdir with ?test=true becomes ttd', async () => {
		const id = client({ orgNumber: DIGDIR_ORG });
		const issued = await getAccessToken(http, credentials(id, { useAltinnTestOrg: true }));
		expect((await altinnClaims(issued.token))['urn:altinn:org']).toBe('ttd');
		expect(sent.at(-1)?.url).toMatch(/\/exchange\/maskinporten\?test=true$/);
	});

	it('Altinn token lifetime comes from its own exp (knob), not from Maskinporten expires_in', async () => {
		emu.knobs.altinnTokenLifetimeSec = 900;
		try {
			const id = client();
			const before = Date.now();
			const issued = await getAccessToken(http, credentials(id));
			expect(issued.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 899_000);
			expect(issued.expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);
		} finally {
			emu.knobs.altinnTokenLifetimeSec = 1800;
		}
	});

	it('a lost response is retried with a fresh grant, never replayed (no MP-012)', async () => {
		const id = client();
		let dropped = false;
		const lossy: HttpCall = async (request) => {
			const response = await http(request);
			if (request.method === 'POST' && !dropped) {
				dropped = true;
				throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
			}
			return response;
		};
		await getAccessToken(lossy, credentials(id), { client: fast });
		expect(emu.counters.get('maskinporten.grants')).toBe(2);
		expect(emu.counters.get('maskinporten.rejections')).toBe(0);
	});

	it('retries an injected 503 and a connection reset from Maskinporten', async () => {
		const id = client();
		emu.faults.add({ route: 'maskinporten.token', status: 503, times: 1 });
		emu.faults.add({ route: 'maskinporten.token', status: 'reset', times: 1 });
		await getAccessToken(http, credentials(id), { client: fast });
		expect(emu.counters.get('maskinporten.grants')).toBe(1);
		expect(emu.counters.get('route.maskinporten.token')).toBe(3);
	});
});

/** [name, set-up returning credentials, exact message (RegExp for the trace id), hint fragment, code] */
type Case = [string, () => Record<string, unknown> | Promise<Record<string, unknown>>, RegExp | string, string, string | undefined];

const trace = '\\(trace_id: [0-9a-f]{32}\\)';
const correlation = '\\(correlation id: [0-9a-f-]{36}\\)';
const rx = (text: string) => new RegExp(`^${text}$`);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const rejections: Case[] = [
	[
		'MP-100 unknown client id',
		() => credentials('no-such-client'),
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_grant): MP-100: Invalid assertion. Client authentication failed. Client not found')} ${trace}`),
		'Maskinporten does not know client "no-such-client"',
		'MP-100',
	],
	[
		'unknown kid',
		() => credentials(client(), { keyId: 'not-registered' }),
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_grant): Invalid assertion. Client authentication failed. Unknown key identifier (kid) for client.')} ${trace}`),
		'Maskinporten does not know the key kid "not-registered"',
		undefined,
	],
	[
		'MP-121 expired key',
		() => credentials(client({ jwks: [{ ...key.publicJwk, expiresAt: Math.floor(Date.now() / 1000) - 1 }] as never })),
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_grant): MP-121: Invalid assertion. Client authentication failed. Expired key')} ${trace}`),
		'Upload a new public key',
		'MP-121',
	],
	[
		'MP-124 key does not match the registered one',
		() => credentials(client({ jwks: [{ ...otherKey.publicJwk, kid: key.kid }] })),
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_grant): MP-124: Invalid assertion. Client authentication failed. Invalid JWT signature')} ${trace}`),
		'The private key here is not the one registered under kid "emu-key"',
		'MP-124',
	],
	[
		'MP-110 audience of another host name',
		() => credentials(client(), { maskinportenUrl: emu.credentialUrls.maskinportenUrl.replace('127.0.0.1', 'localhost') }),
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_grant): MP-110: Invalid assertion. Client authentication failed. Invalid JWT claim aud')} ${trace}`),
		"The grant's audience was http://localhost:",
		'MP-110',
	],
	[
		'MP-120 certificate from an untrusted CA',
		() =>
			credentials(client({ orgNumber: CERT_ORG, jwks: undefined, certificates: { trustedCaPem: fixture('other.cert.pem') } }), {
				keyType: 'certificate',
				privateKey: business.key(),
				certificate: business.chain(),
			}),
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_grant): MP-120: Invalid assertion. Client authentication failed. The JWT is signed with an invalid certificate.')} ${trace}`),
		'test certificates work only in Test',
		'MP-120',
	],
	[
		'MP-122 certificate of another organisation',
		() =>
			credentials(client({ orgNumber: SKD_ORG, jwks: undefined, certificates: { trustedCaPem: fixture('ca.cert.pem') } }), {
				keyType: 'certificate',
				privateKey: business.key(),
				certificate: business.chain(),
			}),
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_grant): MP-122: Invalid organization number for client. Does not match certificate orgno')} ${trace}`),
		'belongs to a different organisation',
		'MP-122',
	],
	[
		'certificate grant (no kid) to a JWK client',
		() => credentials(client(), { keyType: 'certificate', privateKey: business.key(), certificate: business.chain() }),
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_grant): Invalid JWT. The client requires pre-registered jwk and no key identifier (kid) provided')} ${trace}`),
		'the grant must name it with a kid',
		undefined,
	],
	[
		'MP-200 scope not registered on the client',
		() => credentials(client(), { scopes: `${READ} skd:not-mine` }),
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_scope): MP-200: Token request contains invalid scopes for client: skd:not-mine')} ${trace}`),
		'is not registered for all of these scopes: altinn:serviceowner/instances.read skd:not-mine',
		'MP-200',
	],
	[
		'MP-251 missing delegation',
		() => credentials(client(), { scopes: 'skd:delegated', consumerOrg: CUSTOMER_ORG }),
		rx(`${esc(`Maskinporten refused the token request (HTTP 403 forbidden): MP-251: Consumer ${CUSTOMER_ORG} has not delegated access to the scope skd:delegated to supplier ${SKD_ORG}.`)} ${correlation}`),
		'has not delegated this scope to you in Altinn',
		'MP-251',
	],
	[
		'consumer_org is our own org',
		() => credentials(client(), { consumerOrg: SKD_ORG }),
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_request): The combination consumer_org in claim and delegation scope on client is invalid')} ${trace}`),
		'Leave Consumer Org empty when you act for yourself',
		undefined,
	],
	[
		'MP-303 no such system user',
		() => credentials(client(), { systemUserOrg: CUSTOMER_ORG }),
		rx(`${esc(`Maskinporten refused the token request (HTTP 400 invalid_altinn_customer_configuration): MP-303: Invalid authorization details values: no system user for ${CUSTOMER_ORG} on this system`)} ${trace}`),
		'No approved system user matches',
		'MP-303',
	],
	[
		'MP-303 system user external reference does not match',
		() => credentials(client({ systemUsers: [{ orgNumber: CUSTOMER_ORG, externalRef: 'right' }] }), { systemUserOrg: CUSTOMER_ORG, systemUserExternalRef: 'wrong' }),
		rx(`${esc(`Maskinporten refused the token request (HTTP 400 invalid_altinn_customer_configuration): MP-303: Invalid authorization details values: no system user for ${CUSTOMER_ORG} on this system`)} ${trace}`),
		'System User External Reference (needed only if the system user was created with one)',
		'MP-303',
	],
	[
		'resource the client may not ask for',
		() => credentials(client({ allowedResources: ['https://api.example.no/'] }), { resource: 'https://elsewhere.example.no/' }),
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_target): Invalid resource for client: https://elsewhere.example.no/')} ${trace}`),
		'Check Resource against the value the API owner gave you',
		undefined,
	],
	[
		'clock behind: issue time after now',
		() => {
			emu.knobs.clockOffsetSec = -60;
			return credentials(client());
		},
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_grant): Invalid assertion. Client authentication failed. Issue time is after now.')} ${trace}`),
		'synchronise it (NTP)',
		'MP-130',
	],
	[
		'MP-130 clock ahead: grant already expired',
		() => {
			emu.knobs.clockOffsetSec = 600;
			return credentials(client());
		},
		rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_grant): MP-130: Invalid assertion. Client authentication failed. JWT is expired')} ${trace}`),
		'synchronise it (NTP)',
		'MP-130',
	],
	[
		'Maskinporten keeps failing with 503',
		() => {
			emu.faults.add({ route: 'maskinporten.token', status: 503, times: 3 });
			return credentials(client());
		},
		'Maskinporten answered HTTP 503 with an empty body',
		'Maskinporten is having problems',
		undefined,
	],
	[
		'Maskinporten URL that is not Maskinporten (HTML 200)',
		() => {
			emu.faults.add({ route: 'maskinporten.token', status: 200, body: '<html>proxy login</html>' });
			return credentials(client());
		},
		'Maskinporten answered HTTP 200 with a body that is not JSON',
		'points at Maskinporten itself',
		undefined,
	],
	[
		'Maskinporten URL with no Maskinporten behind it (404 text)',
		() => credentials(client(), { maskinportenUrl: `${emu.url}/nothing-here/` }),
		`Maskinporten answered HTTP 404 with a body that is not Maskinporten's JSON error ("No emulated route for POST /nothing-here/token")`,
		'is Maskinporten: Environment, or Maskinporten URL for Custom',
		undefined,
	],
];

describe('rejected by the emulator, explained', () => {
	it.each(rejections)('%s', async (_name, setup, message, hint, code) => {
		const error = await failure(await setup());
		if (typeof message === 'string') expect(error.message).toBe(message);
		else expect(error.message).toMatch(message);
		expect(error.hint).toContain(hint);
		expect(error.code).toBe(code);
		expect(error.step).toBe('grant');
	});

	it('exchange 401: a token from another Maskinporten (wrong environment pairing)', async () => {
		const id = client();
		const error = await failure(credentials(id, { altinnPlatformUrl: other.url }));
		expect(error.message).toBe("Altinn's token exchange refused the Maskinporten token (HTTP 401)");
		expect(error.hint).toContain('Usually the environments do not match');
		expect(error.hint).toContain('check that Altinn Platform URL belongs to the Maskinporten URL');
		expect(error.step).toBe('exchange');
		// One fresh grant and one more exchange were tried before giving up.
		expect(emu.counters.get('maskinporten.grants')).toBe(2);
		expect(other.counters.get('authentication.rejections')).toBe(2);
	});

	it('exchange 401 once (Altinn outage) is survived with one fresh grant', async () => {
		const id = client();
		emu.faults.add({ route: 'authentication.exchange', status: 401, times: 1 });
		await getAccessToken(http, credentials(id), { client: fast });
		expect(emu.counters.get('maskinporten.grants')).toBe(2);
		expect(emu.counters.get('authentication.exchanges')).toBe(1);
	});

	it('exchange 404: Altinn Platform URL without an exchange', async () => {
		const error = await failure(credentials(client(), { altinnPlatformUrl: `${emu.url}/wrong` }));
		expect(error.message).toBe(
			`Altinn's token exchange refused the Maskinporten token (HTTP 404 – No emulated route for GET /wrong/authentication/api/v1/exchange/maskinporten)`,
		);
		expect(error.hint).toBe(`There is no Maskinporten exchange at ${emu.url}/wrong/authentication/api/v1/exchange/maskinporten. Check Environment, or Altinn Platform URL for Custom (for example https://platform.tt02.altinn.no).`);
	});

	it('exchange 410 (ProblemDetails body) is explained', async () => {
		emu.faults.add({
			route: 'authentication.exchange',
			status: 410,
			body: { title: 'Virksomhetsbruker is no longer available', status: 410, type: 'https://docs.altinn.studio' },
		});
		const error = await failure(credentials(client()));
		expect(error.message).toBe("Altinn's token exchange refused the Maskinporten token (HTTP 410 – Virksomhetsbruker is no longer available)");
		expect(error.hint).toContain('Use a system user');
	});

	it('exchange 200 with something that is not a token', async () => {
		emu.faults.add({ route: 'authentication.exchange', status: 200, body: 'maintenance' });
		const error = await failure(credentials(client()));
		expect(error.message).toBe(`Altinn's token exchange at ${emu.url}/authentication/api/v1/exchange/maskinporten answered HTTP 200, but the body is not an Altinn token`);
	});

	it('exchange keeps failing with 503', async () => {
		emu.faults.add({ route: 'authentication.exchange', status: 503, times: 3, body: 'Service Unavailable' });
		const error = await failure(credentials(client()));
		expect(error.message).toBe("Altinn's token exchange refused the Maskinporten token (HTTP 503 – Service Unavailable)");
		expect(error.hint).toContain('Altinn authentication is having problems');
	});

	it('MP-012: a replayed grant is explained (our client never replays; a proxy might)', async () => {
		const id = client();
		let first: string | undefined;
		const replaying: HttpCall = async (request) => {
			if (request.method === 'POST') {
				first ??= request.body;
				return await http({ ...request, body: first });
			}
			return await http(request);
		};
		await getAccessToken(replaying, credentials(id, { exchangeToAltinn: false }));
		clearTokenCache();
		const error = await failure(credentials(id, { exchangeToAltinn: false }), replaying);
		expect(error.message).toMatch(rx(`${esc('Maskinporten refused the token request (HTTP 400 invalid_grant): MP-012: Validation of JWT Bearer grant failed. Grant is used before')} ${trace}`));
		expect(error.hint).toContain('a proxy that retries POST requests');
	});

	it('unreachable Maskinporten', async () => {
		const closed = await startEmulator();
		const url = closed.credentialUrls.maskinportenUrl;
		await closed.close();
		const error = await failure(credentials('x', { maskinportenUrl: url }));
		expect(error.message).toMatch(new RegExp(`^Could not reach Maskinporten: POST ${esc(url)}token \\(.+; tried 3 times\\)$`));
	});
});

describe('secrets never leak into messages', () => {
	it('no message or hint carries the key, a grant or a token', async () => {
		const secrets = [key.jwkBase64.slice(10, 50), String(JSON.parse(key.jwkJson).d).slice(0, 40), key.pkcs8.split('\n')[2], business.key().split('\n')[2]];
		const errors: MaskinportenError[] = [];
		for (const [, setup] of rejections) {
			emu.faults.clear();
			clearTokenCache();
			errors.push(await failure(await setup()));
			emu.knobs.clockOffsetSec = 0;
		}
		// A server that echoes the grant and the token back must not get them into a message.
		const echo: HttpCall = async (request) => {
			const token = request.headers.Authorization ?? '';
			const body = request.body ?? '';
			return request.method === 'POST'
				? { statusCode: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: `MP-011: bad ${body} ${new URLSearchParams(body).get('assertion')}` }) }
				: { statusCode: 401, body: `rejected ${token}` };
		};
		clearTokenCache();
		errors.push(await failure(credentials(client()), echo));
		const exchangeEcho: HttpCall = async (request) => (request.method === 'POST' ? await http(request) : await echo(request));
		clearTokenCache();
		errors.push(await failure(credentials(client()), exchangeEcho));
		expect(errors.length).toBeGreaterThanOrEqual(rejections.length + 2);
		for (const error of errors) {
			const text = `${error.message}\n${error.hint}`;
			expect(text).not.toMatch(/eyJ/);
			for (const secret of secrets) expect(text).not.toContain(secret);
		}
	});
});
