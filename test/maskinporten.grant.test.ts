/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets */
/**
 * The grant, checked independently with `jose`: every key format, every algorithm, the header
 * that identifies the key, and every claim (required and optional).
 */
import { X509Certificate } from 'node:crypto';
import * as jose from 'jose';

import { GRANT_LIFETIME_SEC, grantRequestBody, signGrant } from '../credentials/maskinporten/grant';
import { parseSettings } from '../credentials/maskinporten/settings';
import { business, fixture, fixtureKey, testKey } from './support/keys';

const key = testKey('grant-key');

const base = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
	environment: 'test',
	clientId: 'my-client',
	scopes: 'altinn:serviceowner/instances.read altinn:serviceowner/instances.write',
	keyType: 'jwk',
	jwk: key.jwkJson,
	...over,
});

async function verify(assertion: string, verifyKey: jose.KeyLike | Uint8Array, algorithm = 'RS256') {
	const { payload, protectedHeader } = await jose.jwtVerify(assertion, verifyKey, { algorithms: [algorithm] });
	return { payload, header: protectedHeader };
}

const pub = async () => (await jose.importJWK(key.publicJwk, 'RS256')) as jose.KeyLike;

describe('grant claims', () => {
	it('has exactly the documented required claims, aud = issuer with trailing slash', async () => {
		const before = Math.floor(Date.now() / 1000);
		const { payload, header } = await verify(signGrant(parseSettings(base())), await pub());
		expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'scope']);
		expect(payload.aud).toBe('https://test.maskinporten.no/');
		expect(payload.iss).toBe('my-client');
		expect(payload.scope).toBe('altinn:serviceowner/instances.read altinn:serviceowner/instances.write');
		expect(payload.iat).toBeGreaterThanOrEqual(before);
		expect(payload.exp! - payload.iat!).toBe(GRANT_LIFETIME_SEC);
		expect(GRANT_LIFETIME_SEC).toBeGreaterThanOrEqual(60);
		expect(GRANT_LIFETIME_SEC).toBeLessThanOrEqual(120);
		expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
		expect(header).toEqual({ alg: 'RS256', kid: 'grant-key' });
	});

	it('uses a fresh jti for every grant', () => {
		const settings = parseSettings(base());
		const jtis = new Set(Array.from({ length: 20 }, () => jose.decodeJwt(signGrant(settings)).jti));
		expect(jtis.size).toBe(20);
	});

	it('uses the production issuer in production, and the custom issuer with exactly one trailing slash', () => {
		expect(jose.decodeJwt(signGrant(parseSettings(base({ environment: 'production' })))).aud).toBe('https://maskinporten.no/');
		const custom = base({
			environment: 'custom',
			maskinportenUrl: 'http://127.0.0.1:9/maskinporten',
			altinnPlatformUrl: 'http://127.0.0.1:9',
			altinnAppsUrl: 'http://127.0.0.1:9',
		});
		expect(jose.decodeJwt(signGrant(parseSettings(custom))).aud).toBe('http://127.0.0.1:9/maskinporten/');
		expect(jose.decodeJwt(signGrant(parseSettings({ ...custom, maskinportenUrl: 'http://127.0.0.1:9/maskinporten//' }))).aud).toBe(
			'http://127.0.0.1:9/maskinporten/',
		);
	});

	it('joins scopes given with commas, newlines or repeated spaces into one space-separated claim', () => {
		const claims = jose.decodeJwt(signGrant(parseSettings(base({ scopes: ' a:one,a:two\n a:three  a:one ' }))));
		expect(claims.scope).toBe('a:one a:two a:three');
	});

	it('sends resource as an array, for one value and for several', () => {
		expect(jose.decodeJwt(signGrant(parseSettings(base({ resource: 'https://api.example.no' })))).resource).toEqual(['https://api.example.no']);
		expect(jose.decodeJwt(signGrant(parseSettings(base({ resource: 'urn:a, urn:b urn:c' })))).resource).toEqual(['urn:a', 'urn:b', 'urn:c']);
	});

	it('sends consumer_org as the 9-digit string', () => {
		expect(jose.decodeJwt(signGrant(parseSettings(base({ consumerOrg: '910 753 614' })))).consumer_org).toBe('910753614');
	});

	it('sends a system user as authorization_details with 0192: and the external reference', () => {
		const claims = jose.decodeJwt(signGrant(parseSettings(base({ systemUserOrg: '310000123', systemUserExternalRef: 'customer-42' }))));
		expect(claims.authorization_details).toEqual([
			{
				type: 'urn:altinn:systemuser',
				systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:310000123' },
				externalRef: 'customer-42',
			},
		]);
		const plain = jose.decodeJwt(signGrant(parseSettings(base({ systemUserOrg: '0192:310000123' }))));
		expect(plain.authorization_details).toEqual([
			{ type: 'urn:altinn:systemuser', systemuser_org: { authority: 'iso6523-actorid-upis', ID: '0192:310000123' } },
		]);
	});

	it('lets a node override the system user per request', () => {
		const settings = parseSettings(base({ systemUserOrg: '310000123', systemUserExternalRef: 'a' }), {
			systemUserOrg: '310000999',
		});
		expect(settings.systemUser).toEqual({ org: '0192:310000999', externalRef: undefined });
		const refOnly = parseSettings(base({ systemUserOrg: '310000123', systemUserExternalRef: 'a' }), { systemUserExternalRef: 'b' });
		expect(refOnly.systemUser).toEqual({ org: '0192:310000123', externalRef: 'b' });
	});

	it('has all optional claims together and still only documented ones', async () => {
		const assertion = signGrant(
			parseSettings(base({ resource: 'urn:r', consumerOrg: '910753614', systemUserOrg: '310000123', systemUserExternalRef: 'x' })),
		);
		const { payload } = await verify(assertion, await pub());
		expect(Object.keys(payload).sort()).toEqual(
			['aud', 'authorization_details', 'consumer_org', 'exp', 'iat', 'iss', 'jti', 'resource', 'scope'].sort(),
		);
	});

	it('posts grant_type and assertion form-encoded', () => {
		const body = new URLSearchParams(grantRequestBody('a.b.c'));
		expect([...body.keys()]).toEqual(['grant_type', 'assertion']);
		expect(body.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
		expect(body.get('assertion')).toBe('a.b.c');
	});
});

describe('algorithms', () => {
	it.each(['RS256', 'RS384', 'RS512'])('signs with %s', async (algorithm) => {
		const { header } = await verify(signGrant(parseSettings(base({ algorithm }))), key.privateKey, algorithm);
		expect(header.alg).toBe(algorithm);
	});
});

describe('key formats', () => {
	it('reads a raw JSON JWK and uses its kid', async () => {
		const { header } = await verify(signGrant(parseSettings(base())), await pub());
		expect(header.kid).toBe('grant-key');
	});

	it("reads a base64 JWK (Altinn's EncodedJwk) and a base64url one", async () => {
		await verify(signGrant(parseSettings(base({ jwk: key.jwkBase64 }))), await pub());
		await verify(signGrant(parseSettings(base({ jwk: Buffer.from(key.jwkJson).toString('base64url') }))), await pub());
	});

	it('reads a JWK set with one key', async () => {
		await verify(signGrant(parseSettings(base({ jwk: JSON.stringify({ keys: [JSON.parse(key.jwkJson)] }) }))), await pub());
	});

	it('lets Key ID override the JWK kid', () => {
		expect(jose.decodeProtectedHeader(signGrant(parseSettings(base({ keyId: 'registered-kid' }))))).toEqual({
			alg: 'RS256',
			kid: 'registered-kid',
		});
	});

	it('reads a JWK without kid when Key ID is given', () => {
		const noKid = JSON.parse(key.jwkJson) as Record<string, unknown>;
		delete noKid.kid;
		expect(jose.decodeProtectedHeader(signGrant(parseSettings(base({ jwk: JSON.stringify(noKid), keyId: 'k1' })))).kid).toBe('k1');
	});

	it('reads a PKCS#8 PEM key with its Key ID', async () => {
		const { header } = await verify(signGrant(parseSettings(base({ keyType: 'pem', privateKey: key.pkcs8, keyId: 'pem-kid' }))), await pub());
		expect(header).toEqual({ alg: 'RS256', kid: 'pem-kid' });
	});

	it('reads the PKCS#1 fixture (BEGIN RSA PRIVATE KEY)', async () => {
		const pkcs1 = fixtureKey('pkcs1.key.pem', 'p1');
		const assertion = signGrant(parseSettings(base({ keyType: 'pem', privateKey: fixture('pkcs1.key.pem'), keyId: 'p1' })));
		await verify(assertion, await jose.importJWK(pkcs1.publicJwk, 'RS256'));
	});

	it('reads a PEM pasted from an environment variable (literal \\n) or on one line', async () => {
		const escaped = key.pkcs8.replace(/\n/g, '\\n');
		await verify(signGrant(parseSettings(base({ keyType: 'pem', privateKey: escaped, keyId: 'k' }))), await pub());
		const oneLine = key.pkcs1.replace(/\n/g, ' ');
		await verify(signGrant(parseSettings(base({ keyType: 'pem', privateKey: oneLine, keyId: 'k' }))), await pub());
	});

	it('sends a business certificate chain as x5c (base64 DER, leaf first) without kid', async () => {
		const assertion = signGrant(parseSettings(base({ keyType: 'certificate', privateKey: business.key(), certificate: business.chain() })));
		const header = jose.decodeProtectedHeader(assertion);
		expect(Object.keys(header).sort()).toEqual(['alg', 'x5c']);
		expect(header.x5c).toHaveLength(2);
		expect(header.x5c![0]).toBe(new X509Certificate(business.cert()).raw.toString('base64'));
		const leafPem = `-----BEGIN CERTIFICATE-----\n${header.x5c![0].match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----`;
		await verify(assertion, await jose.importX509(leafPem, 'RS256'));
		expect(new X509Certificate(Buffer.from(header.x5c![1], 'base64')).subject).toContain('Emulated Business CA');
	});

	it('sends a single certificate as a one-element x5c array, and kid only when Key ID is given', () => {
		const one = jose.decodeProtectedHeader(
			signGrant(parseSettings(base({ keyType: 'certificate', privateKey: business.key(), certificate: business.cert() }))),
		);
		expect(one.x5c).toHaveLength(1);
		expect(one.kid).toBeUndefined();
		const withKid = jose.decodeProtectedHeader(
			signGrant(parseSettings(base({ keyType: 'certificate', privateKey: business.key(), certificate: business.cert(), keyId: 'cert-kid' }))),
		);
		expect(withKid.kid).toBe('cert-kid');
		expect(withKid.x5c).toHaveLength(1);
	});
});
