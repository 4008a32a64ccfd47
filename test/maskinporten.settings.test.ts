/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets */
/**
 * Bad input, found before any request: each case asserts the exact message a user sees and
 * the field it names. No message may quote the key.
 */
import { createPrivateKey } from 'node:crypto';

import { isLoopback } from '../credentials/maskinporten/environments';
import { CredentialSettingsError } from '../credentials/maskinporten/errors';
import { parseSettings } from '../credentials/maskinporten/settings';
import { business, fixture, fixtureKey, testKey } from './support/keys';
import { testJwkCredential } from './support/credentials';

const key = testKey('settings-key');
const jwk = JSON.parse(key.jwkJson) as Record<string, unknown>;

const base = (over: Record<string, unknown> = {}): Record<string, unknown> => testJwkCredential(key, over);
const pem = (over: Record<string, unknown> = {}) => base({ keyType: 'pem', privateKey: key.pkcs8, keyId: 'k1', jwk: undefined, ...over });
const cert = (over: Record<string, unknown> = {}) =>
	base({ keyType: 'certificate', privateKey: business.key(), certificate: business.chain(), jwk: undefined, ...over });
const custom = (over: Record<string, unknown> = {}) =>
	base({ environment: 'custom', maskinportenUrl: 'http://127.0.0.1:1/maskinporten/', altinnPlatformUrl: 'http://127.0.0.1:1', altinnAppsUrl: 'http://127.0.0.1:1', ...over });

const damagedPem = key.pkcs8.replace(/\n(.{20})/, '\n$1!!!!');
const shortJwk = JSON.stringify({ ...createPrivateKey(fixture('short.key.pem')).export({ format: 'jwk' }), kid: 'short' });
const ecJwk = JSON.stringify({ ...createPrivateKey(fixture('ec.key.pem')).export({ format: 'jwk' }), kid: 'ec' });
const secondJwk = JSON.parse(fixtureKey('other.key.pem', 'other').jwkJson) as Record<string, unknown>;
const [leafPem, caPem] = business.chain().split(/(?<=-----END CERTIFICATE-----)\s*/).filter(Boolean);
const encryptedPem = createPrivateKey(key.pkcs8).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
const publicPem = `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(64)}\n-----END PUBLIC KEY-----`;

const cases: Array<[string, Record<string, unknown>, string, string]> = [
	['unknown environment', base({ environment: 'staging' }), 'environment', 'Unknown environment "staging": choose Test, Production or Custom'],
	['custom without Maskinporten URL', custom({ maskinportenUrl: '' }), 'maskinportenUrl', 'Maskinporten URL is required when Environment is Custom'],
	['custom with a bad Maskinporten URL', custom({ maskinportenUrl: 'not a url' }), 'maskinportenUrl', 'Maskinporten URL "not a url" is not a valid URL; give a full URL such as https://example.no/'],
	['custom platform URL over ftp', custom({ altinnPlatformUrl: 'ftp://x.no' }), 'altinnPlatformUrl', 'Altinn Platform URL must start with https:// (or http:// for a local emulator)'],
	['custom platform URL over plain http to a network host', custom({ altinnPlatformUrl: 'http://10.0.0.5:8080' }), 'altinnPlatformUrl', 'Altinn Platform URL "http://10.0.0.5:8080" uses plain http:// to 10.0.0.5:8080: the grant and the tokens would travel unencrypted. Use https://, or http:// only to this machine (localhost, 127.0.0.1, ::1) for a local emulator.'],
	['custom Maskinporten URL over plain http to a named host', custom({ maskinportenUrl: 'http://maskinporten.example.no/' }), 'maskinportenUrl', 'Maskinporten URL "http://maskinporten.example.no/" uses plain http:// to maskinporten.example.no: the grant and the tokens would travel unencrypted. Use https://, or http:// only to this machine (localhost, 127.0.0.1, ::1) for a local emulator.'],
	['custom apps URL over plain http to 128.0.0.1', custom({ altinnAppsUrl: 'http://{org}.128.0.0.1.nip.io' }), 'altinnAppsUrl', 'Altinn Apps URL "http://{org}.128.0.0.1.nip.io" uses plain http:// to org.128.0.0.1.nip.io: the grant and the tokens would travel unencrypted. Use https://, or http:// only to this machine (localhost, 127.0.0.1, ::1) for a local emulator.'],
	['custom without apps URL', custom({ altinnAppsUrl: undefined }), 'altinnAppsUrl', 'Altinn Apps URL is required when Environment is Custom'],
	['empty client id', base({ clientId: '  ' }), 'clientId', 'Client ID is empty. Enter the client id of your Maskinporten client (from Samarbeidsportalen).'],
	['client id with spaces', base({ clientId: 'my client' }), 'clientId', 'Client ID "my client" contains spaces. Copy the client id exactly as Samarbeidsportalen shows it.'],
	['empty scope', base({ scopes: ' , ' }), 'scopes', 'Scopes is empty. Enter at least one scope the client is registered for, separated by spaces, e.g. altinn:serviceowner/instances.read altinn:serviceowner/instances.write.'],
	['scope with a quote', base({ scopes: 'a:b "c"' }), 'scopes', 'Scopes contains ""c"", which is not a valid scope (quotes and backslashes are not allowed).'],
	['EC algorithm', base({ algorithm: 'ES256' }), 'algorithm', 'Signing Algorithm "ES256" is not supported by Maskinporten. Choose RS256, RS384 or RS512.'],
	['unknown key type', base({ keyType: 'p12' }), 'keyType', 'Key Type "p12" is not supported: choose Private JWK, PEM Private Key or Business Certificate.'],
	['empty JWK', base({ jwk: '' }), 'jwk', "Private JWK is empty. Paste the private JWK as JSON (starting with {) or base64-encoded, as in Altinn's EncodedJwk setting."],
	['JWK that is neither JSON nor base64 JSON', base({ jwk: 'not a key!' }), 'jwk', "Private JWK is neither JSON nor base64-encoded JSON. Paste the private JWK starting with {, or its base64 form (Altinn's EncodedJwk)."],
	['truncated JWK JSON', base({ jwk: key.jwkJson.slice(0, 80) }), 'jwk', 'Private JWK is not valid JSON. Check that you pasted the whole key, from { to }.'],
	['public JWK (no d)', base({ jwk: JSON.stringify(key.publicJwk) }), 'jwk', 'Private JWK has no private part ("d"): this is the public key you registered in Maskinporten. Paste the private JWK, which also has d, p, q, dp, dq and qi.'],
	['EC JWK', base({ jwk: ecJwk }), 'jwk', 'Private JWK is an EC key (kty "EC"). Maskinporten accepts only RSA keys (RS256, RS384, RS512): create an RSA key of at least 2048 bits.'],
	['1024-bit JWK', base({ jwk: shortJwk }), 'jwk', 'Private JWK is an RSA key of 1024 bits. Maskinporten requires at least 2048 bits: create a new key of 2048 bits or more and register it on the client.'],
	['JWK without kid and no Key ID', base({ jwk: JSON.stringify({ ...jwk, kid: undefined }) }), 'keyId', 'Key ID is required: the JWK has no "kid" and Key ID is empty. Enter the kid the key is registered with on your Maskinporten client.'],
	['PEM pasted as JWK', base({ jwk: key.pkcs8 }), 'jwk', 'Private JWK contains a PEM key, not a JWK. Choose Key Type "PEM Private Key" and paste it there.'],
	['JWK set with two keys', base({ jwk: JSON.stringify({ keys: [jwk, secondJwk] }) }), 'jwk', 'Private JWK is a key set with 2 keys. Paste only the one private key this client uses.'],
	['JWK whose private part belongs to another key', base({ jwk: JSON.stringify({ ...secondJwk, n: jwk.n }) }), 'jwk', 'Private JWK is damaged: its private part does not belong to its public part. Export the key again.'],
	['JWK with a damaged component', base({ jwk: JSON.stringify({ ...jwk, e: 42 }) }), 'jwk', 'Private JWK is not a valid RSA private key: one of n, e, d, p, q, dp, dq, qi is missing or damaged. Paste the whole key again.'],
	// The four below are classified by arithmetic, not by OpenSSL: Node 24.21 and 24.22 (OpenSSL 3.5) disagree
	// on which of them createPrivateKey accepts, and the message must not depend on that.
	['JWK whose d belongs to another key', base({ jwk: JSON.stringify({ ...jwk, d: secondJwk.d }) }), 'jwk', 'Private JWK is damaged: its private part does not belong to its public part. Export the key again.'],
	['JWK whose primes belong to another key', base({ jwk: JSON.stringify({ ...jwk, p: secondJwk.p, q: secondJwk.q }) }), 'jwk', 'Private JWK is damaged: its private part does not belong to its public part. Export the key again.'],
	['JWK with a damaged CRT member (qi)', base({ jwk: JSON.stringify({ ...jwk, qi: secondJwk.qi }) }), 'jwk', 'Private JWK is not a valid RSA private key: one of n, e, d, p, q, dp, dq, qi is missing or damaged. Paste the whole key again.'],
	['JWK without qi', base({ jwk: JSON.stringify({ ...jwk, qi: undefined }) }), 'jwk', 'Private JWK is not a valid RSA private key: one of n, e, d, p, q, dp, dq, qi is missing or damaged. Paste the whole key again.'],
	['empty PEM key', pem({ privateKey: '' }), 'privateKey', 'Private Key (PEM) is empty. Paste the private key in PEM form, starting with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----.'],
	['PEM key without BEGIN line', pem({ privateKey: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' }), 'privateKey', 'Private Key (PEM) is not a PEM private key. It must start with -----BEGIN PRIVATE KEY----- (PKCS#8) or -----BEGIN RSA PRIVATE KEY----- (PKCS#1) and end with the matching END line.'],
	['EC PEM key', pem({ privateKey: fixture('ec.key.pem') }), 'privateKey', 'Private Key (PEM) is an EC key. Maskinporten accepts only RSA keys (RS256, RS384, RS512): create an RSA key of at least 2048 bits and register it on the client.'],
	['1024-bit PEM key', pem({ privateKey: fixture('short.key.pem') }), 'privateKey', 'Private Key (PEM) is an RSA key of 1024 bits. Maskinporten requires at least 2048 bits: create a new key of 2048 bits or more and register it on the client.'],
	['PEM key without Key ID', pem({ keyId: '' }), 'keyId', 'Key ID is required with a PEM private key. Enter the kid the public key is registered with on your Maskinporten client.'],
	['Key ID with a space', pem({ keyId: 'my kid' }), 'keyId', 'Key ID "my kid" contains spaces. Enter the kid exactly as registered on the client.'],
	['certificate pasted as the key', pem({ privateKey: business.cert() }), 'privateKey', 'Private Key (PEM) contains a certificate, not a private key. Paste the private key that belongs to the certificate.'],
	['public key pasted as the key', pem({ privateKey: publicPem }), 'privateKey', 'Private Key (PEM) contains a public key. Paste the private key (the one you did not upload to Maskinporten).'],
	['encrypted PEM key', pem({ privateKey: encryptedPem }), 'privateKey', 'Private Key (PEM) is encrypted with a passphrase. Export it without one, e.g. openssl pkey -in key.pem -out plain-key.pem.'],
	['damaged PEM key', pem({ privateKey: damagedPem }), 'privateKey', 'Private Key (PEM) could not be read: the PEM is damaged or incomplete. Paste the whole key again, including the BEGIN and END lines.'],
	['JWK pasted as PEM', pem({ privateKey: key.jwkJson }), 'privateKey', 'Private Key (PEM) looks like a JWK, not a PEM key. Choose Key Type "Private JWK" and paste it there.'],
	['empty certificate', cert({ certificate: '' }), 'certificate', 'Certificate Chain (PEM) is empty. Paste your business certificate (virksomhetssertifikat) in PEM form, leaf first, then any intermediates.'],
	['certificate that is not PEM', cert({ certificate: 'MIIDKjCCAhICFAg0kEHWcKV' }), 'certificate', 'Certificate Chain (PEM) is not a PEM certificate: it must contain -----BEGIN CERTIFICATE-----. From a .p12/.pfx file: openssl pkcs12 -in cert.p12 -clcerts -nokeys -out cert.pem.'],
	['private key pasted as the certificate', cert({ certificate: business.key() }), 'certificate', 'Certificate Chain (PEM) contains a private key, not a certificate. Put the key in Private Key (PEM) and the certificate here.'],
	['damaged certificate', cert({ certificate: `${leafPem}\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----` }), 'certificate', 'Certificate Chain (PEM) could not be read: certificate 2 of 2 is damaged. Paste it again, including the BEGIN and END lines.'],
	['certificate of another key', cert({ certificate: fixture('other.cert.pem') }), 'certificate', 'Certificate Chain (PEM) does not match Private Key (PEM): the certificate was issued for another key. Take the certificate and the key from the same business certificate (.p12/.pfx).'],
	['chain in the wrong order', cert({ certificate: `${caPem}\n${leafPem}` }), 'certificate', 'Certificate Chain (PEM) is in the wrong order: certificate 2 belongs to the private key. Put it first (leaf first, then intermediates).'],
	['EC key with a certificate', cert({ privateKey: fixture('ec.key.pem') }), 'privateKey', 'Private Key (PEM) is an EC key. Maskinporten accepts only RSA keys (RS256, RS384, RS512): create an RSA key of at least 2048 bits and register it on the client.'],
	['consumer org of 5 digits', base({ consumerOrg: '12345' }), 'consumerOrg', 'Consumer Org Number "12345" is not an organisation number. Enter the 9 digits of the organisation number (e.g. 910753614), or leave it empty.'],
	['system user org with letters', base({ systemUserOrg: 'ACME AS' }), 'systemUserOrg', 'System User Org Number "ACME AS" is not an organisation number. Enter the 9 digits of the organisation number (e.g. 910753614), or leave it empty.'],
	['system user org with a wrong prefix', base({ systemUserOrg: '0088:310000123' }), 'systemUserOrg', 'System User Org Number "0088:310000123" is not an organisation number. Enter the 9 digits of the organisation number (e.g. 910753614), or leave it empty.'],
	['external reference without system user', base({ systemUserExternalRef: 'ref-1' }), 'systemUserExternalRef', 'System User External Reference is set but System User Org Number is empty. Enter the organisation number of the system user, or clear the external reference.'],
];

function settingsError(credentials: Record<string, unknown>): CredentialSettingsError {
	let caught: unknown;
	try {
		parseSettings(credentials);
	} catch (error) {
		caught = error;
	}
	if (caught instanceof CredentialSettingsError) return caught;
	throw new Error(`expected a CredentialSettingsError, got ${String(caught ?? 'success')}`);
}

describe('bad credential input', () => {
	it.each(cases)('%s', (_name, credentials, field, message) => {
		const error = settingsError(credentials);
		expect(error.message).toBe(message);
		expect(error.field).toBe(field);
	});

	it(`covers at least 20 distinct bad inputs (${cases.length})`, () => {
		expect(new Set(cases.map(([, , , message]) => message)).size).toBeGreaterThanOrEqual(20);
	});

	it('never quotes key material in a message', () => {
		const secrets = [
			key.pkcs8.split('\n')[3],
			String(jwk.d).slice(0, 40),
			business.key().split('\n')[3],
			key.jwkBase64.slice(20, 60),
		];
		for (const [, credentials] of cases) {
			const { message } = settingsError(credentials);
			for (const secret of secrets) expect(message).not.toContain(secret);
			expect(message).not.toMatch(/eyJ|MII[A-Za-z0-9+/]{20}/);
		}
	});
});

describe('accepted input', () => {
	it('defaults: RS256, exchange on, test org off, scopes when absent', () => {
		const settings = parseSettings({ environment: 'production', clientId: 'c', keyType: 'jwk', jwk: key.jwkJson });
		expect(settings.algorithm).toBe('RS256');
		expect(settings.exchangeToAltinn).toBe(true);
		expect(settings.useAltinnTestOrg).toBe(false);
		expect(settings.scopes).toEqual(['altinn:serviceowner/instances.read', 'altinn:serviceowner/instances.write']);
		expect(settings.endpoints.altinnPlatformUrl).toBe('https://platform.altinn.no');
	});

	it('allows plain http:// only to this machine', () => {
		for (const host of ['localhost', 'emu.localhost', '127.0.0.1', '127.10.20.30', '[::1]']) {
			expect(() => parseSettings(custom({ altinnPlatformUrl: `http://${host}:8080` }))).not.toThrow();
		}
		expect(isLoopback('128.0.0.1')).toBe(false);
		expect(isLoopback('localhost.example.no')).toBe(false);
		expect(isLoopback('127.0.0.256')).toBe(false);
	});

	it('accepts org numbers with spaces or the 0192: prefix', () => {
		expect(parseSettings(base({ consumerOrg: '0192:910753614', systemUserOrg: '310 000 123' }))).toMatchObject({
			consumerOrg: '910753614',
			systemUser: { org: '0192:310000123' },
		});
	});
});
