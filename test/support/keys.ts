/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * Key fixtures for tests: the PEM files in test/fixtures, and a generated RSA key in every
 * form a user may paste (JWK JSON, base64 JWK as Altinn's EncodedJwk, PKCS#8, PKCS#1), with
 * the public JWK a Maskinporten client would have registered.
 */
import type { JWK } from 'jose';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function fixture(name: string): string {
	return readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8');
}

export interface TestKey {
	kid: string;
	privateKey: KeyObject;
	/** Private JWK including `kid`, as JSON text. */
	jwkJson: string;
	/** base64 of `jwkJson` (Altinn's EncodedJwk). */
	jwkBase64: string;
	/** Public JWK to register with the emulated Maskinporten. */
	publicJwk: JWK & { kid: string; alg: string; use: string };
	pkcs8: string;
	pkcs1: string;
}

const generated = new Map<string, TestKey>();

export function fromPrivateKey(privateKey: KeyObject, kid: string): TestKey {
	const jwk = { ...privateKey.export({ format: 'jwk' }), kid };
	const jwkJson = JSON.stringify(jwk);
	const pub = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
	return {
		kid,
		privateKey,
		jwkJson,
		jwkBase64: Buffer.from(jwkJson).toString('base64'),
		publicJwk: { ...pub, kid, alg: 'RS256', use: 'sig' },
		pkcs8: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
		pkcs1: privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
	};
}

/** A 2048-bit RSA key, generated once per test file and name. */
export function testKey(kid = 'test-key'): TestKey {
	let key = generated.get(kid);
	if (!key) {
		const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		key = fromPrivateKey(privateKey, kid);
		generated.set(kid, key);
	}
	return key;
}

/** A key loaded from a PEM fixture, in every form. */
export function fixtureKey(name: string, kid: string): TestKey {
	return fromPrivateKey(createPrivateKey(fixture(name)), kid);
}

/** The business certificate fixtures: key, leaf certificate, chain (leaf + CA). */
export const business = {
	key: () => fixture('business.key.pem'),
	cert: () => fixture('business.cert.pem'),
	chain: () => fixture('business.chain.pem'),
	orgNumber: '405003309',
};
