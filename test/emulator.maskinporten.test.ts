/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets */
/**
 * The emulated Maskinporten token endpoint and Altinn token exchange, driven with grants
 * built by jose (never the package's own signer): every accepted shape, and every rejection
 * with the real server's status and error body.
 */
import * as jose from 'jose';
import { randomUUID } from 'node:crypto';

import { startEmulator, type Emulator } from './emulator';
import { authenticateAltinn } from './emulator/authentication';
import type { ClientDefinition } from './emulator/maskinporten';
import { signToken, verifyBearer } from './emulator/tokens';
import {
	buildGrant,
	createClientKey,
	fixturePrivateKey,
	postGrant,
	readFixture,
	x5cFromPem,
	type ClientKey,
	type GrantSpec,
} from './support/grants';

const CERT_ORG = '405003309'; // serialNumber of test/fixtures/business.chain.pem
const VENDOR_ORG = '310000001';
const CUSTOMER_ORG = '310000002';
const SKD_ORG = '974761076';
const DIGDIR_ORG = '991825827';
const READ = 'altinn:serviceowner/instances.read';
const WRITE = 'altinn:serviceowner/instances.write';

let emu: Emulator;
let key: ClientKey;
let otherKey: ClientKey;

const nowSec = () => Math.floor(Date.now() / 1000);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
	emu = await startEmulator();
	key = await createClientKey('kid-main');
	otherKey = await createClientKey('kid-other');
	emu.world.addServiceOwner({
		code: 'skd',
		orgNumber: SKD_ORG,
		name: 'Skatteetaten',
	});
	emu.world.addServiceOwner({
		code: 'digdir',
		orgNumber: DIGDIR_ORG,
		name: 'Digitaliseringsdirektoratet',
	});
});
afterAll(async () => await emu.close());
afterEach(() => {
	emu.knobs.clockOffsetSec = 0;
	emu.knobs.maskinportenTokenLifetimeSec = 120;
	emu.knobs.altinnTokenLifetimeSec = 1800;
});

/** Registers a fresh JWK client (unique id) and returns a grant builder for it. */
function jwkClient(def: Partial<ClientDefinition> = {}) {
	const clientId = def.clientId ?? `client-${randomUUID()}`;
	emu.maskinporten.registerClient({
		orgNumber: VENDOR_ORG,
		scopes: [READ, WRITE],
		jwks: [key.publicJwk],
		...def,
		clientId,
	});
	const grant = (spec: Partial<GrantSpec> = {}) =>
		buildGrant({
			audience: emu.maskinporten.issuer,
			clientId,
			scope: READ,
			key: key.privateKey,
			kid: key.kid,
			...spec,
		});
	return { clientId, grant };
}

function certClient(def: Partial<ClientDefinition> = {}) {
	const clientId = `cert-${randomUUID()}`;
	emu.maskinporten.registerClient({
		orgNumber: CERT_ORG,
		scopes: [READ],
		certificates: { trustedCaPem: [readFixture('ca.cert.pem')] },
		...def,
		clientId,
	});
	const grant = (spec: Partial<GrantSpec> = {}) =>
		buildGrant({
			audience: emu.maskinporten.issuer,
			clientId,
			scope: READ,
			key: fixturePrivateKey('business.key.pem'),
			x5c: x5cFromPem(readFixture('business.chain.pem')),
			...spec,
		});
	return { clientId, grant };
}

const post = async (assertion: string) => await postGrant(emu.maskinporten.tokenEndpoint, assertion);

async function verifyMaskinportenToken(token: string) {
	const jwks = (await (await fetch(`${emu.maskinporten.issuer}jwk`)).json()) as { keys: jose.JWK[] };
	const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), {
		issuer: emu.maskinporten.issuer,
	});
	return { payload, protectedHeader };
}

/** Asserts the exact error body: `{error, error_description}` with MP code prefix and a trace id. */
async function expectRejection(
	assertion: string | Promise<string>,
	status: number,
	error: string,
	description: string,
	code?: string,
) {
	const before = emu.counters.get('maskinporten.rejections');
	const res = await post(await assertion);
	expect(res.status).toBe(status);
	expect(Object.keys(res.json ?? {}).sort()).toEqual(['error', 'error_description']);
	expect(res.json?.error).toBe(error);
	const trace = error === 'forbidden' ? '\\(correlation id: [0-9a-f-]{36}\\)' : '\\(trace_id: [0-9a-f]{32}\\)';
	expect(res.json?.error_description).toMatch(
		new RegExp(`^${escape(code ? `${code}: ${description}` : description)} ${trace}$`),
	);
	expect(emu.counters.get('maskinporten.rejections')).toBe(before + 1);
	return res;
}

const AUTH = 'Invalid assertion. Client authentication failed.';

describe('Maskinporten metadata', () => {
	test('the well-known document has the real shape, issuer with trailing slash', async () => {
		const res = await fetch(`${emu.url}/maskinporten/.well-known/oauth-authorization-server`);
		expect(res.status).toBe(200);
		const doc = (await res.json()) as Record<string, unknown>;
		expect(doc).toEqual({
			issuer: `${emu.url}/maskinporten/`,
			token_endpoint: `${emu.url}/maskinporten/token`,
			jwks_uri: `${emu.url}/maskinporten/jwk`,
			token_endpoint_auth_methods_supported: ['private_key_jwt'],
			grant_types_supported: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
			token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'RS512'],
			authorization_details_types_supported: ['urn:altinn:systemuser', 'urn:altinn:consent'],
		});
		expect(doc.issuer).toBe(emu.credentialUrls.maskinportenUrl);
	});
});

describe('Maskinporten grants that succeed', () => {
	test('JWK client with kid gets a Bearer token with the real claims', async () => {
		const { clientId, grant } = jwkClient();
		const grants = emu.counters.get('maskinporten.grants');
		const res = await post(await grant({ scope: `${READ} ${WRITE}` }));
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			access_token: expect.any(String),
			token_type: 'Bearer',
			expires_in: 120,
			scope: `${READ} ${WRITE}`,
		});
		const { payload, protectedHeader } = await verifyMaskinportenToken(res.json!.access_token as string);
		expect(protectedHeader.alg).toBe('RS256');
		expect(payload).toMatchObject({
			iss: emu.maskinporten.issuer,
			client_id: clientId,
			client_amr: 'private_key_jwt',
			consumer: { authority: 'iso6523-actorid-upis', ID: `0192:${VENDOR_ORG}` },
			scope: `${READ} ${WRITE}`,
			token_type: 'Bearer',
			aud: 'unspecified',
		});
		expect(payload.exp! - payload.iat!).toBe(120);
		expect(typeof payload.jti).toBe('string');
		expect(payload.supplier).toBeUndefined();
		expect(emu.counters.get('maskinporten.grants')).toBe(grants + 1);
		const accepted = emu.maskinporten.acceptedGrants.at(-1)!;
		expect(accepted.clientId).toBe(clientId);
		expect(accepted.header).toEqual({ alg: 'RS256', kid: 'kid-main' });
		expect(accepted.claims.aud).toBe(emu.maskinporten.issuer);
	});

	test.each(['RS384', 'RS512'])('%s is accepted', async (alg) => {
		const { grant } = jwkClient();
		expect((await post(await grant({ alg }))).status).toBe(200);
		expect(emu.maskinporten.acceptedGrants.at(-1)!.header.alg).toBe(alg);
	});

	test('a client with several keys is matched by kid', async () => {
		const { grant } = jwkClient({ jwks: [key.publicJwk, otherKey.publicJwk] });
		expect((await post(await grant({ key: otherKey.privateKey, kid: otherKey.kid }))).status).toBe(200);
	});

	test('business certificate (x5c leaf + CA, no kid) gets client_amr virksomhetssertifikat', async () => {
		const { clientId, grant } = certClient();
		const res = await post(await grant());
		expect(res.status).toBe(200);
		const { payload } = await verifyMaskinportenToken(res.json!.access_token as string);
		expect(payload).toMatchObject({
			client_id: clientId,
			client_amr: 'virksomhetssertifikat',
			consumer: { authority: 'iso6523-actorid-upis', ID: `0192:${CERT_ORG}` },
		});
		expect(emu.maskinporten.acceptedGrants.at(-1)!.header.x5c).toHaveLength(2);
	});

	test('x5c with only the leaf certificate (as most clients send) is accepted', async () => {
		const { grant } = certClient();
		const leafOnly = x5cFromPem(readFixture('business.chain.pem')).slice(0, 1);
		expect((await post(await grant({ x5c: leafOnly }))).status).toBe(200);
	});

	test('nbf and sub are tolerated, like the real server', async () => {
		const { clientId, grant } = jwkClient();
		const res = await post(await grant({ claims: { nbf: nowSec(), sub: clientId } }));
		expect(res.status).toBe(200);
	});

	test('resource as a string becomes aud; as an array, aud is the array', async () => {
		const { grant } = jwkClient({
			allowedResources: ['https://api.one/', 'https://api.two/'],
		});
		const one = await post(await grant({ claims: { resource: 'https://api.one/' } }));
		expect((await verifyMaskinportenToken(one.json!.access_token as string)).payload.aud).toBe('https://api.one/');
		const two = await post(
			await grant({
				claims: { resource: ['https://api.one/', 'https://api.two/'] },
			}),
		);
		expect((await verifyMaskinportenToken(two.json!.access_token as string)).payload.aud).toEqual([
			'https://api.one/',
			'https://api.two/',
		]);
		expect(emu.maskinporten.acceptedGrants.at(-1)!.claims.resource).toEqual(['https://api.one/', 'https://api.two/']);
	});

	test('consumer_org with a delegation: consumer is the delegating org, supplier the client', async () => {
		const { grant } = jwkClient({
			scopes: [],
			delegations: [{ consumerOrg: SKD_ORG, scopes: [READ] }],
		});
		const res = await post(await grant({ claims: { consumer_org: SKD_ORG } }));
		expect(res.status).toBe(200);
		const { payload } = await verifyMaskinportenToken(res.json!.access_token as string);
		expect(payload.consumer).toEqual({
			authority: 'iso6523-actorid-upis',
			ID: `0192:${SKD_ORG}`,
		});
		expect(payload.supplier).toEqual({
			authority: 'iso6523-actorid-upis',
			ID: `0192:${VENDOR_ORG}`,
		});
	});

	test('system user grant: authorization_details echoed with systemuser_id and system_id', async () => {
		const id = randomUUID();
		const { clientId, grant } = jwkClient({
			systemUsers: [{ orgNumber: CUSTOMER_ORG, id }],
		});
		const details = [
			{
				type: 'urn:altinn:systemuser',
				systemuser_org: {
					authority: 'iso6523-actorid-upis',
					ID: `0192:${CUSTOMER_ORG}`,
				},
			},
		];
		const res = await post(await grant({ claims: { authorization_details: details } }));
		expect(res.status).toBe(200);
		const { payload } = await verifyMaskinportenToken(res.json!.access_token as string);
		expect(payload.consumer).toEqual({
			authority: 'iso6523-actorid-upis',
			ID: `0192:${VENDOR_ORG}`,
		});
		expect(payload.authorization_details).toEqual([
			{
				type: 'urn:altinn:systemuser',
				systemuser_org: {
					authority: 'iso6523-actorid-upis',
					id: `0192:${CUSTOMER_ORG}`,
				},
				systemuser_id: [id],
				system_id: `${VENDOR_ORG}_${clientId}`,
			},
		]);
		expect(emu.maskinporten.acceptedGrants.at(-1)!.claims.authorization_details).toEqual(details);
	});

	test('system user with externalRef requires the same externalRef', async () => {
		const { grant } = jwkClient({
			systemUsers: [{ orgNumber: CUSTOMER_ORG, externalRef: 'customer-123' }],
		});
		const entry = {
			type: 'urn:altinn:systemuser',
			systemuser_org: {
				authority: 'iso6523-actorid-upis',
				ID: `0192:${CUSTOMER_ORG}`,
			},
		};
		expect(
			(
				await post(
					await grant({
						claims: {
							authorization_details: [{ ...entry, externalRef: 'customer-123' }],
						},
					}),
				)
			).status,
		).toBe(200);
		await expectRejection(
			grant({ claims: { authorization_details: [entry] } }),
			400,
			'invalid_altinn_customer_configuration',
			`Invalid authorization details values: no system user for ${CUSTOMER_ORG} on this system`,
			'MP-303',
		);
		await expectRejection(
			grant({
				claims: { authorization_details: [{ ...entry, externalRef: 'other' }] },
			}),
			400,
			'invalid_altinn_customer_configuration',
			`Invalid authorization details values: no system user for ${CUSTOMER_ORG} on this system`,
			'MP-303',
		);
	});

	test('every grant gets its own jti in the log', async () => {
		const { clientId, grant } = jwkClient();
		await post(await grant());
		await post(await grant());
		const mine = emu.maskinporten.acceptedGrants.filter((g) => g.clientId === clientId);
		expect(mine).toHaveLength(2);
		expect(mine[0].claims.jti).not.toBe(mine[1].claims.jti);
	});

	test('knob maskinportenTokenLifetimeSec sets expires_in and the token exp', async () => {
		emu.knobs.maskinportenTokenLifetimeSec = 7;
		const { grant } = jwkClient();
		const res = await post(await grant());
		expect(res.json!.expires_in).toBe(7);
		const { payload } = await verifyMaskinportenToken(res.json!.access_token as string);
		expect(payload.exp! - payload.iat!).toBe(7);
	});
});

describe('Maskinporten rejects, with the real error bodies', () => {
	test('a non-form content type is invalid_request', async () => {
		const { grant } = jwkClient();
		const assertion = await grant();
		const res = await postGrant(emu.maskinporten.tokenEndpoint, assertion, {
			contentType: 'application/json',
			body: JSON.stringify({
				grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
				assertion,
			}),
		});
		expect(res.status).toBe(400);
		expect(res.json?.error).toBe('invalid_request');
	});

	test('a wrong grant_type is unsupported_grant_type; a missing assertion invalid_request', async () => {
		const { grant } = jwkClient();
		const wrong = await postGrant(emu.maskinporten.tokenEndpoint, await grant(), { grantType: 'client_credentials' });
		expect(wrong.status).toBe(400);
		expect(wrong.json?.error).toBe('unsupported_grant_type');
		const missing = await postGrant(emu.maskinporten.tokenEndpoint, '', {
			body: 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer',
		});
		expect(missing.status).toBe(400);
		expect(missing.json?.error).toBe('invalid_request');
	});

	test('an assertion that is not a JWS: MP-011', async () => {
		await expectRejection('not.a.jwt', 400, 'invalid_request', 'Invalid assertion. Invalid parameter value', 'MP-011');
	});

	test('HS256 and ES256 are not accepted', async () => {
		const { clientId, grant } = jwkClient();
		await expectRejection(
			grant({
				alg: 'HS256',
				key: new TextEncoder().encode('a-shared-secret-that-is-long-enough!!'),
			}),
			400,
			'invalid_grant',
			'Invalid assertion. Unsupported JWT algorithm HS256. Supported: RS256, RS384, RS512.',
		);
		const ec = await jose.generateKeyPair('ES256');
		await expectRejection(
			buildGrant({
				audience: emu.maskinporten.issuer,
				clientId,
				scope: READ,
				key: ec.privateKey,
				alg: 'ES256',
				kid: key.kid,
			}),
			400,
			'invalid_grant',
			'Invalid assertion. Unsupported JWT algorithm ES256. Supported: RS256, RS384, RS512.',
		);
	});

	test('an undocumented claim: 400 invalid_request "Invalid assertion"', async () => {
		const { grant } = jwkClient();
		await expectRejection(
			grant({ claims: { foo: 'bar' } }),
			400,
			'invalid_request',
			'Invalid assertion. Unknown claim(s): foo.',
		);
	});

	test('unknown client: MP-100 Client not found', async () => {
		await expectRejection(
			buildGrant({
				audience: emu.maskinporten.issuer,
				clientId: 'nobody',
				scope: READ,
				key: key.privateKey,
				kid: key.kid,
			}),
			400,
			'invalid_grant',
			`${AUTH} Client not found`,
			'MP-100',
		);
		expect(emu.counters.get('maskinporten.rejections.MP-100')).toBeGreaterThanOrEqual(1);
	});

	test('unregistered kid: the real "Unknown key identifier (kid) for client"', async () => {
		const { grant } = jwkClient();
		await expectRejection(
			grant({ kid: 'not-registered' }),
			400,
			'invalid_grant',
			`${AUTH} Unknown key identifier (kid) for client.`,
		);
		// a certificate client that also sends a kid that is not registered on it
		const cert = certClient();
		await expectRejection(
			cert.grant({ kid: 'cert-kid' }),
			400,
			'invalid_grant',
			`${AUTH} Unknown key identifier (kid) for client.`,
		);
	});

	test('JWK client without kid: "requires pre-registered jwk"', async () => {
		const { grant } = jwkClient();
		await expectRejection(
			grant({ kid: undefined }),
			400,
			'invalid_grant',
			'Invalid JWT. The client requires pre-registered jwk and no key identifier (kid) provided',
		);
		await expectRejection(
			grant({
				kid: undefined,
				x5c: x5cFromPem(readFixture('business.chain.pem')),
			}),
			400,
			'invalid_grant',
			'Invalid JWT. The client requires pre-registered jwk and no key identifier (kid) provided',
		);
	});

	test('expired registered key: MP-121', async () => {
		const { grant } = jwkClient({
			jwks: [{ ...key.publicJwk, expiresAt: nowSec() - 1 }],
		});
		await expectRejection(grant(), 400, 'invalid_grant', `${AUTH} Expired key`, 'MP-121');
	});

	test('wrong signing key for the kid: MP-124', async () => {
		const { grant } = jwkClient();
		await expectRejection(
			grant({ key: otherKey.privateKey }),
			400,
			'invalid_grant',
			`${AUTH} Invalid JWT signature`,
			'MP-124',
		);
	});

	test('x5c as a string or not base64 DER: MP-123', async () => {
		const { grant } = certClient();
		const message = 'Invalid JWT header x5c. Sjekk at sertifikatet ligger med som et array av string (base64 DER).';
		const leaf = x5cFromPem(readFixture('business.chain.pem'))[0];
		await expectRejection(grant({ x5c: leaf }), 400, 'invalid_grant', message, 'MP-123');
		await expectRejection(grant({ x5c: ['not a certificate'] }), 400, 'invalid_grant', message, 'MP-123');
		await expectRejection(grant({ x5c: ['AAAA'] }), 400, 'invalid_grant', message, 'MP-123');
		await expectRejection(grant({ x5c: [] }), 400, 'invalid_grant', message, 'MP-123');
	});

	test('certificate client without x5c or kid: MP-123', async () => {
		const { grant } = certClient();
		await expectRejection(
			grant({ x5c: undefined }),
			400,
			'invalid_grant',
			'Invalid JWT header x5c. Either kid or x5c must be present.',
			'MP-123',
		);
	});

	test('certificate not issued by a trusted CA: MP-120', async () => {
		const { grant } = certClient();
		await expectRejection(
			grant({
				x5c: x5cFromPem(readFixture('other.cert.pem')),
				key: fixturePrivateKey('other.key.pem'),
			}),
			400,
			'invalid_grant',
			`${AUTH} The JWT is signed with an invalid certificate.`,
			'MP-120',
		);
		// the CA itself is not a business certificate
		await expectRejection(
			grant({ x5c: x5cFromPem(readFixture('ca.cert.pem')) }),
			400,
			'invalid_grant',
			`${AUTH} The JWT is signed with an invalid certificate.`,
			'MP-120',
		);
	});

	test('certificate of another org than the client: MP-122', async () => {
		const { grant } = certClient({ orgNumber: VENDOR_ORG });
		await expectRejection(
			grant(),
			400,
			'invalid_grant',
			'Invalid organization number for client. Does not match certificate orgno',
			'MP-122',
		);
	});

	test("certificate grant signed with a key that is not the certificate's: MP-124", async () => {
		const { grant } = certClient();
		await expectRejection(
			grant({ key: fixturePrivateKey('other.key.pem') }),
			400,
			'invalid_grant',
			`${AUTH} Invalid JWT signature`,
			'MP-124',
		);
	});

	test('aud must be exactly the issuer, single value: MP-110', async () => {
		const { grant } = jwkClient();
		const message = `${AUTH} Invalid JWT claim aud`;
		await expectRejection(grant({ audience: emu.maskinporten.tokenEndpoint }), 400, 'invalid_grant', message, 'MP-110');
		await expectRejection(
			grant({ audience: emu.maskinporten.issuer.slice(0, -1) }),
			400,
			'invalid_grant',
			message,
			'MP-110',
		);
		await expectRejection(grant({ audience: [emu.maskinporten.issuer] }), 400, 'invalid_grant', message, 'MP-110');
		await expectRejection(grant({ audience: 'https://maskinporten.no/' }), 400, 'invalid_grant', message, 'MP-110');
	});

	test('lifetime over 120 s: "JWT has too long lifetime"', async () => {
		const { grant } = jwkClient();
		const iat = nowSec();
		await expectRejection(grant({ iat, exp: iat + 121 }), 400, 'invalid_grant', `${AUTH} JWT has too long lifetime.`);
		expect((await post(await grant({ iat, exp: iat + 120 }))).status).toBe(200);
	});

	test('iat more than 10 s ahead: "Issue time is after now"', async () => {
		const { grant } = jwkClient();
		const iat = nowSec() + 30;
		await expectRejection(grant({ iat, exp: iat + 60 }), 400, 'invalid_grant', `${AUTH} Issue time is after now.`);
	});

	test('expired grant, or iat more than 10 s old: MP-130', async () => {
		const { grant } = jwkClient();
		await expectRejection(
			grant({ iat: nowSec() - 90, exp: nowSec() - 30 }),
			400,
			'invalid_grant',
			`${AUTH} JWT is expired`,
			'MP-130',
		);
		await expectRejection(
			grant({ iat: nowSec() - 30, exp: nowSec() + 60 }),
			400,
			'invalid_grant',
			`${AUTH} JWT is expired`,
			'MP-130',
		);
	});

	test('missing iat/exp: MP-011', async () => {
		const { grant } = jwkClient();
		await expectRejection(
			grant({ omit: ['iat'] }),
			400,
			'invalid_request',
			'Invalid assertion. The claims iat and exp are required (epoch seconds).',
			'MP-011',
		);
	});

	test('missing jti is rejected; a reused grant is MP-012', async () => {
		const { grant } = jwkClient();
		await expectRejection(
			grant({ omit: ['jti'] }),
			400,
			'invalid_request',
			'Invalid assertion. Missing jti: a grant must be unique.',
		);
		const once = await grant();
		expect((await post(once)).status).toBe(200);
		await expectRejection(
			once,
			400,
			'invalid_grant',
			'Validation of JWT Bearer grant failed. Grant is used before',
			'MP-012',
		);
		expect(emu.counters.get('maskinporten.rejections.MP-012')).toBeGreaterThanOrEqual(1);
	});

	test('scope missing, or not registered on the client: MP-200 invalid_scope', async () => {
		const { grant } = jwkClient({ scopes: [READ] });
		await expectRejection(
			grant({ scope: undefined }),
			400,
			'invalid_scope',
			'Token request contains no scope. At least one scope is required.',
			'MP-200',
		);
		await expectRejection(
			grant({ scope: `${READ} ${WRITE}` }),
			400,
			'invalid_scope',
			`Token request contains invalid scopes for client: ${WRITE}`,
			'MP-200',
		);
	});

	test('consumer_org = own org: "The combination consumer_org in claim and delegation scope on client is invalid"', async () => {
		const { grant } = jwkClient();
		await expectRejection(
			grant({ claims: { consumer_org: VENDOR_ORG } }),
			400,
			'invalid_request',
			'The combination consumer_org in claim and delegation scope on client is invalid',
		);
	});

	test('consumer_org without a delegation: 403 forbidden MP-251', async () => {
		const { grant } = jwkClient({
			delegations: [{ consumerOrg: SKD_ORG, scopes: [READ] }],
		});
		await expectRejection(
			grant({ scope: WRITE, claims: { consumer_org: SKD_ORG } }),
			403,
			'forbidden',
			`Consumer ${SKD_ORG} has not delegated access to the scope ${WRITE} to supplier ${VENDOR_ORG}.`,
			'MP-251',
		);
		await expectRejection(
			grant({ claims: { consumer_org: CUSTOMER_ORG } }),
			403,
			'forbidden',
			`Consumer ${CUSTOMER_ORG} has not delegated access to the scope ${READ} to supplier ${VENDOR_ORG}.`,
			'MP-251',
		);
		await expectRejection(
			grant({ claims: { consumer_org: 'abc' } }),
			400,
			'invalid_request',
			'Invalid assertion. Invalid parameter value: consumer_org',
			'MP-011',
		);
	});

	test('resource of the wrong type, or not allowed for the client', async () => {
		const { grant } = jwkClient({ allowedResources: ['https://api.one/'] });
		await expectRejection(
			grant({ claims: { resource: 42 } }),
			400,
			'invalid_request',
			'Invalid assertion. Invalid parameter value: resource',
			'MP-011',
		);
		await expectRejection(
			grant({ claims: { resource: [] } }),
			400,
			'invalid_request',
			'Invalid assertion. Invalid parameter value: resource',
			'MP-011',
		);
		await expectRejection(
			grant({ claims: { resource: ['https://elsewhere/'] } }),
			400,
			'invalid_target',
			'Invalid resource for client: https://elsewhere/',
		);
	});

	test('authorization_details: MP-301 unknown type, MP-302 unknown field, MP-303 bad values', async () => {
		const { grant } = jwkClient({ systemUsers: [{ orgNumber: CUSTOMER_ORG }] });
		const org = {
			authority: 'iso6523-actorid-upis',
			ID: `0192:${CUSTOMER_ORG}`,
		};
		const reject = (details: unknown, message: string, code: string) =>
			expectRejection(
				grant({ claims: { authorization_details: details } }),
				400,
				'invalid_authorization_details',
				message,
				code,
			);
		await reject([{ type: 'urn:altinn:unknown', systemuser_org: org }], 'Unknown authorization details type', 'MP-301');
		await reject(
			[{ type: 'urn:altinn:systemuser', systemuser_org: org, extra: 1 }],
			'Unknown fields in the authorization details: extra',
			'MP-302',
		);
		// the early draft spelling
		await reject(
			[{ type: 'urn:altinn:systemuser', systemuserorg: org }],
			'Unknown fields in the authorization details: systemuserorg',
			'MP-302',
		);
		const badOrg =
			'Invalid authorization details values: systemuser_org must be {"authority":"iso6523-actorid-upis","ID":"0192:<orgno>"}';
		await reject(
			[
				{
					type: 'urn:altinn:systemuser',
					systemuser_org: { ...org, ID: CUSTOMER_ORG },
				},
			],
			badOrg,
			'MP-303',
		);
		await reject(
			[
				{
					type: 'urn:altinn:systemuser',
					systemuser_org: { authority: 'x', ID: `0192:${CUSTOMER_ORG}` },
				},
			],
			badOrg,
			'MP-303',
		);
		await reject([{ type: 'urn:altinn:systemuser' }], badOrg, 'MP-303');
		const one = 'Invalid authorization details values: exactly one authorization_details entry is supported';
		await reject({ type: 'urn:altinn:systemuser', systemuser_org: org }, one, 'MP-303');
		await reject([], one, 'MP-303');
		// Well-formed, but no approved system user: Altinn's own error name (altinn-studio-docs,
		// "Troubleshooting: invalid_altinn_customer_configuration (MP-303)").
		await expectRejection(
			grant({ claims: { authorization_details: [{ type: 'urn:altinn:systemuser', systemuser_org: { ...org, ID: '0192:999999999' } }] } }),
			400,
			'invalid_altinn_customer_configuration',
			'Invalid authorization details values: no system user for 999999999 on this system',
			'MP-303',
		);
		expect(emu.counters.get('maskinporten.rejections.MP-301')).toBeGreaterThanOrEqual(1);
		expect(emu.counters.get('maskinporten.rejections.MP-302')).toBeGreaterThanOrEqual(2);
	});

	test('removed client is no longer found', async () => {
		const { clientId, grant } = jwkClient();
		expect(emu.maskinporten.client(clientId)).toBeDefined();
		expect(emu.maskinporten.removeClient(clientId)).toBe(true);
		await expectRejection(grant(), 400, 'invalid_grant', `${AUTH} Client not found`, 'MP-100');
	});

	test('knob clockOffsetSec: a server clock 60 s ahead sees the grant as expired, 60 s behind as from the future', async () => {
		const { grant } = jwkClient();
		emu.knobs.clockOffsetSec = 60;
		await expectRejection(grant(), 400, 'invalid_grant', `${AUTH} JWT is expired`, 'MP-130');
		emu.knobs.clockOffsetSec = -60;
		await expectRejection(grant(), 400, 'invalid_grant', `${AUTH} Issue time is after now.`);
		emu.knobs.clockOffsetSec = 8; // within the 10 s skew
		expect((await post(await grant())).status).toBe(200);
	});
});

describe('Altinn token exchange', () => {
	const exchangeUrl = (provider = 'maskinporten', query = '') =>
		`${emu.url}/authentication/api/v1/exchange/${provider}${query}`;

	async function maskinportenToken(spec: Partial<GrantSpec> = {}, def: Partial<ClientDefinition> = {}) {
		const { grant } = jwkClient({
			scopes: [READ, WRITE, 'skatteetaten:some.api'],
			...def,
		});
		const res = await post(await grant(spec));
		expect(res.status).toBe(200);
		return res.json!.access_token as string;
	}

	const exchange = (
		token: string | undefined,
		init: {
			provider?: string;
			query?: string;
			headers?: Record<string, string>;
		} = {},
	) =>
		fetch(exchangeUrl(init.provider, init.query), {
			headers: {
				...(token ? { Authorization: `Bearer ${token}` } : {}),
				...init.headers,
			},
		});

	const altinnClaims = async (token: string) =>
		(
			await jose.jwtVerify(token, emu.ctx.keys.altinn.publicKey, {
				issuer: emu.ctx.urls.altinnIssuer,
			})
		).payload;

	test('exchanges a Maskinporten token for an Altinn token, as plain text by default', async () => {
		const mp = await maskinportenToken();
		const mpClaims = jose.decodeJwt(mp);
		const before = emu.counters.get('authentication.exchanges');
		const res = await exchange(mp);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
		const body = await res.text();
		expect(body).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
		const claims = await altinnClaims(body);
		expect(claims).toMatchObject({
			iss: emu.ctx.urls.altinnIssuer,
			scope: READ,
			client_id: mpClaims.client_id,
			consumer: mpClaims.consumer,
			token_type: 'Bearer',
			jti: mpClaims.jti,
			'urn:altinn:orgNumber': VENDOR_ORG,
			'urn:altinn:authenticatemethod': 'maskinporten',
			'urn:altinn:authlevel': 3,
		});
		expect(claims.aud).toBeUndefined();
		expect(claims.client_amr).toBeUndefined();
		expect(claims['urn:altinn:org']).toBeUndefined();
		expect(typeof claims.sid).toBe('string');
		expect(claims.exp! - claims.iat!).toBe(1800);
		expect(emu.counters.get('authentication.exchanges')).toBe(before + 1);
	});

	test('Accept: application/json gives a JSON-quoted string; a wildcard Accept gives text', async () => {
		const mp = await maskinportenToken();
		const json = await exchange(mp, {
			headers: { Accept: 'application/json' },
		});
		expect(json.status).toBe(200);
		expect(json.headers.get('content-type')).toMatch(/^application\/json/);
		const text = await json.text();
		expect(text.startsWith('"eyJ')).toBe(true);
		await altinnClaims(JSON.parse(text) as string);
		const axiosLike = await exchange(mp, {
			headers: { Accept: 'application/json, text/plain, */*' },
		});
		expect((await axiosLike.text()).startsWith('eyJ')).toBe(true);
		const textFirst = await exchange(mp, {
			headers: { Accept: 'text/plain, application/json' },
		});
		expect((await textFirst.text()).startsWith('eyJ')).toBe(true);
	});

	test('service-owner scope adds urn:altinn:org from the consumer org number', async () => {
		const mp = await maskinportenToken({}, { orgNumber: SKD_ORG });
		const claims = await altinnClaims(await (await exchange(mp)).text());
		expect(claims['urn:altinn:org']).toBe('skd');
		expect(claims['urn:altinn:orgNumber']).toBe(SKD_ORG);
		// test=true only matters for Digdir
		const test = await altinnClaims(await (await exchange(mp, { query: '?test=true' })).text());
		expect(test['urn:altinn:org']).toBe('skd');
	});

	test('no urn:altinn:org without an altinn:serviceowner scope, even for a service owner', async () => {
		const mp = await maskinportenToken({ scope: 'skatteetaten:some.api' }, { orgNumber: SKD_ORG });
		const claims = await altinnClaims(await (await exchange(mp)).text());
		expect(claims['urn:altinn:org']).toBeUndefined();
		expect(claims['urn:altinn:orgNumber']).toBe(SKD_ORG);
	});

	test('?test=true with Digdir as consumer gives org ttd', async () => {
		const mp = await maskinportenToken({}, { orgNumber: DIGDIR_ORG });
		expect((await altinnClaims(await (await exchange(mp)).text()))['urn:altinn:org']).toBe('digdir');
		expect((await altinnClaims(await (await exchange(mp, { query: '?test=true' })).text()))['urn:altinn:org']).toBe(
			'ttd',
		);
	});

	test('provider names are case-insensitive', async () => {
		const mp = await maskinportenToken();
		expect((await exchange(mp, { provider: 'MaskinPorten' })).status).toBe(200);
	});

	test('knob altinnTokenLifetimeSec sets the Altinn token lifetime', async () => {
		emu.knobs.altinnTokenLifetimeSec = 300;
		const claims = await altinnClaims(await (await exchange(await maskinportenToken())).text());
		expect(claims.exp! - claims.iat!).toBe(300);
	});

	test('unknown provider: 400 with the real text', async () => {
		const res = await exchange(await maskinportenToken(), {
			provider: 'facebook',
		});
		expect(res.status).toBe(400);
		expect(await res.text()).toBe(
			"Invalid token provider: facebook. Trusted token providers are 'Maskinporten', 'Id-porten' and 'AltinnStudio'.",
		);
	});

	test('enterprise-user header: 410 ProblemDetails', async () => {
		const res = await exchange(await maskinportenToken(), {
			headers: {
				'X-Altinn-EnterpriseUser-Authentication': Buffer.from('user:pass').toString('base64'),
			},
		});
		expect(res.status).toBe(410);
		expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
		expect(await res.json()).toMatchObject({
			status: 410,
			title: 'Virksomhetsbruker is no longer available',
			type: 'https://docs.altinn.studio',
		});
	});

	test('401 with an empty body for every bad bearer', async () => {
		const before = emu.counters.get('authentication.rejections');
		const good = await maskinportenToken();
		const foreign = await jose.generateKeyPair('RS256');
		const claims = jose.decodeJwt(good);
		const forged = await new jose.SignJWT(claims)
			.setProtectedHeader({ alg: 'RS256', kid: 'emulated-maskinporten' })
			.sign(foreign.privateKey);
		const now = emu.ctx.nowSec();
		const noConsumer = await signToken(
			emu.ctx.keys.maskinporten,
			{ scope: READ, client_id: 'x' },
			emu.maskinporten.issuer,
			now,
			60,
		);
		const wrongAuthority = await signToken(
			emu.ctx.keys.maskinporten,
			{
				scope: READ,
				consumer: { authority: 'other', ID: `0192:${VENDOR_ORG}` },
			},
			emu.maskinporten.issuer,
			now,
			60,
		);
		const wrongIssuer = await signToken(
			emu.ctx.keys.maskinporten,
			{
				scope: READ,
				consumer: {
					authority: 'iso6523-actorid-upis',
					ID: `0192:${VENDOR_ORG}`,
				},
			},
			'https://maskinporten.no/',
			now,
			60,
		);
		const expired = await signToken(
			emu.ctx.keys.maskinporten,
			{
				scope: READ,
				consumer: {
					authority: 'iso6523-actorid-upis',
					ID: `0192:${VENDOR_ORG}`,
				},
			},
			emu.maskinporten.issuer,
			now - 100,
			60,
		);
		const altinnToken = await (await exchange(good)).text();
		const cases: Array<[string, Record<string, string>]> = [
			['none', {}],
			['not bearer', { Authorization: `Basic ${good}` }],
			['garbage', { Authorization: 'Bearer abc.def.ghi' }],
			['forged', { Authorization: `Bearer ${forged}` }],
			['no consumer', { Authorization: `Bearer ${noConsumer}` }],
			['wrong authority', { Authorization: `Bearer ${wrongAuthority}` }],
			['wrong issuer', { Authorization: `Bearer ${wrongIssuer}` }],
			['expired', { Authorization: `Bearer ${expired}` }],
			['altinn token', { Authorization: `Bearer ${altinnToken}` }],
		];
		for (const [name, headers] of cases) {
			const res = await fetch(exchangeUrl(), { headers });
			expect([name, res.status]).toEqual([name, 401]);
			expect([name, await res.text()]).toEqual([name, '']);
		}
		expect((await exchange(good, { provider: 'id-porten' })).status).toBe(401);
		expect(emu.counters.get('authentication.rejections')).toBe(before + cases.length + 1);
	});

	test('an expired Maskinporten token (server clock past exp + 10 s skew) is 401', async () => {
		emu.knobs.maskinportenTokenLifetimeSec = 5;
		const mp = await maskinportenToken();
		emu.knobs.clockOffsetSec = 12;
		expect((await exchange(mp)).status).toBe(200);
		emu.knobs.clockOffsetSec = 18;
		expect((await exchange(mp)).status).toBe(401);
	});

	test('lowercase "bearer" is accepted', async () => {
		const mp = await maskinportenToken();
		const res = await fetch(exchangeUrl(), {
			headers: { Authorization: `bearer ${mp}` },
		});
		expect(res.status).toBe(200);
	});

	test('authenticateAltinn and verifyBearer read exchanged tokens', async () => {
		const mp = await maskinportenToken({ scope: `${READ} ${WRITE}` }, { orgNumber: SKD_ORG });
		const altinn = await (await exchange(mp)).text();
		const principal = await authenticateAltinn(emu.ctx, `Bearer ${altinn}`);
		expect(principal).toMatchObject({
			org: 'skd',
			orgNumber: SKD_ORG,
			scopes: [READ, WRITE],
		});
		expect(principal!.systemUser).toBeUndefined();
		expect(await authenticateAltinn(emu.ctx, `Bearer ${mp}`)).toBeUndefined();
		expect(await authenticateAltinn(emu.ctx, undefined)).toBeUndefined();
		const claims = await verifyBearer(
			`Bearer ${altinn}`,
			emu.ctx.keys.altinn,
			emu.ctx.urls.altinnIssuer,
			emu.ctx.nowSec(),
		);
		expect(claims?.['urn:altinn:org']).toBe('skd');
	});

	test('a system-user token exchanges and carries the system user', async () => {
		const id = randomUUID();
		const details = [
			{
				type: 'urn:altinn:systemuser',
				systemuser_org: {
					authority: 'iso6523-actorid-upis',
					ID: `0192:${CUSTOMER_ORG}`,
				},
			},
		];
		const mp = await maskinportenToken(
			{
				scope: 'skatteetaten:some.api',
				claims: { authorization_details: details },
			},
			{ systemUsers: [{ orgNumber: CUSTOMER_ORG, id }] },
		);
		const altinn = await (await exchange(mp)).text();
		const claims = await altinnClaims(altinn);
		expect((claims.authorization_details as unknown[])[0]).toMatchObject({
			systemuser_id: [id],
		});
		const principal = await authenticateAltinn(emu.ctx, `Bearer ${altinn}`);
		expect(principal).toMatchObject({
			orgNumber: VENDOR_ORG,
			systemUser: { orgNumber: CUSTOMER_ORG, id },
		});
		expect(principal!.org).toBeUndefined();
	});
});
