/**
 * Key material as users have it — a private JWK (raw JSON or base64, Altinn's `EncodedJwk`),
 * a PEM private key (PKCS#8 or PKCS#1) with its key id, or a business certificate chain with
 * its private key — turned into a signing key plus the grant header that identifies it
 * (`kid`, or `x5c` with an optional `kid`).
 *
 * Everything a user can get wrong is caught here, before any request, with a message that
 * names the field. Messages never quote the key.
 */
import { createHash, createPrivateKey, createPublicKey, createSign, createVerify, X509Certificate, type KeyObject } from 'node:crypto';

import { failField as fail, fieldText as text } from './errors';
import { parseJson } from './jwt';

export type KeyType = 'jwk' | 'pem' | 'certificate';

export interface KeyInput {
	keyType: unknown;
	jwk?: unknown;
	privateKey?: unknown;
	keyId?: unknown;
	certificate?: unknown;
}

export interface SigningMaterial {
	keyType: KeyType;
	key: KeyObject;
	/** The header parameters that identify the key: `kid`, or `x5c` (leaf first) with an optional `kid`. */
	header: { kid?: string; x5c?: string[] };
	/** sha256 over the public key and the header; safe to use as a cache key. */
	fingerprint: string;
	/** How error messages refer to the key, e.g. `kid "my-key"`. */
	description: string;
	/** RSA modulus length in bits. */
	bits: number;
}

const MIN_RSA_BITS = 2048;


// ---------------------------------------------------------------------------------------
// PEM handling: tolerant of keys pasted from environment variables (literal \n), on one line,
// or wrapped in quotes.
// ---------------------------------------------------------------------------------------

interface PemBlock {
	label: string;
	pem: string;
}

function normalisePemText(value: string): string {
	return value
		.replace(/^["']|["']$/g, '')
		.replace(/\\r/g, '')
		.replace(/\\n/g, '\n')
		.trim();
}

function pemBlocks(value: string): PemBlock[] {
	const blocks: PemBlock[] = [];
	const pattern = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
	for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
		const body = match[2].replace(/\s+/g, '');
		const lines = body.match(/.{1,64}/g) ?? [];
		blocks.push({ label: match[1], pem: `-----BEGIN ${match[1]}-----\n${lines.join('\n')}\n-----END ${match[1]}-----\n` });
	}
	return blocks;
}

function tryCreatePrivateKey(input: Parameters<typeof createPrivateKey>[0]): KeyObject | undefined {
	try {
		return createPrivateKey(input);
	} catch {
		return undefined;
	}
}

function tryCertificate(pem: string): X509Certificate | undefined {
	try {
		return new X509Certificate(pem);
	} catch {
		return undefined;
	}
}

const MISMATCHED_HALVES = 'is damaged: its private part does not belong to its public part. Export the key again.';
const JWK_PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

function base64UrlInteger(value: string): bigint {
	const hex = Buffer.from(value, 'base64url').toString('hex');
	return hex ? BigInt(`0x${hex}`) : 0n;
}

type JwkConsistency = 'consistent' | 'halves-mismatch' | 'damaged';

function gcd(a: bigint, b: bigint): bigint {
	while (b) [a, b] = [b, a % b];
	return a;
}

/**
 * Checks an RSA private JWK by arithmetic, so that the answer does not depend on the OpenSSL version.
 * - `halves-mismatch`: the public part (n, e) is a valid key on its own and every private member is
 *   present, but the primes do not multiply to n, or d is not e's inverse for them: the private part
 *   belongs to another key.
 * - `damaged`: the halves match, but a CRT member (dp, dq, qi) is wrong or a member is missing.
 * - `consistent`: left to createPrivateKey and the signing probe.
 */
function jwkConsistency(jwk: Record<string, unknown>): JwkConsistency {
	const members = ['n', 'e', ...JWK_PRIVATE_MEMBERS];
	if (!members.every((name) => typeof jwk[name] === 'string' && (jwk[name] as string).length > 0)) return 'consistent';
	try {
		createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e } as never, format: 'jwk' });
	} catch {
		return 'consistent';
	}
	const [n, e, d, p, q, dp, dq, qi] = members.map((name) => base64UrlInteger(jwk[name] as string));
	if (p < 2n || q < 2n || p * q !== n) return 'halves-mismatch';
	const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
	if ((d * e) % lambda !== 1n) return 'halves-mismatch';
	if (dp !== d % (p - 1n) || dq !== d % (q - 1n) || (qi * q) % p !== 1n) return 'damaged';
	return 'consistent';
}

/** Signs and verifies a probe: proves the private and public halves belong together. */
function isConsistent(key: KeyObject): boolean {
	try {
		const probe = Buffer.from('maskinporten key check');
		const signature = createSign('RSA-SHA256').update(probe).sign(key);
		return createVerify('RSA-SHA256').update(probe).verify(createPublicKey(key), signature);
	} catch {
		return false;
	}
}

function checkRsa(field: 'jwk' | 'privateKey', key: KeyObject): number {
	const type = key.asymmetricKeyType;
	if (type !== 'rsa') {
		const name = type === 'ec' ? 'an EC key' : `a ${String(type).toUpperCase()} key`;
		fail(
			field,
			`is ${name}. Maskinporten accepts only RSA keys (RS256, RS384, RS512): create an RSA key of at least ${MIN_RSA_BITS} bits and register it on the client.`,
		);
	}
	const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
	if (bits < MIN_RSA_BITS) {
		fail(field, `is an RSA key of ${bits} bits. Maskinporten requires at least ${MIN_RSA_BITS} bits: create a new key of 2048 bits or more and register it on the client.`);
	}
	if (!isConsistent(key)) {
		fail(field, MISMATCHED_HALVES);
	}
	return bits;
}

function pemPrivateKey(value: unknown): KeyObject {
	const raw = normalisePemText(text(value));
	if (!raw) {
		fail('privateKey', 'is empty. Paste the private key in PEM form, starting with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----.');
	}
	if (raw.startsWith('{')) {
		fail('privateKey', 'looks like a JWK, not a PEM key. Choose Key Type "Private JWK" and paste it there.');
	}
	const blocks = pemBlocks(raw);
	const keyBlock = blocks.find((block) => /PRIVATE KEY$/.test(block.label));
	if (!keyBlock) {
		if (blocks.some((block) => block.label === 'CERTIFICATE')) {
			fail('privateKey', 'contains a certificate, not a private key. Paste the private key that belongs to the certificate.');
		}
		if (blocks.some((block) => /PUBLIC KEY$/.test(block.label))) {
			fail('privateKey', 'contains a public key. Paste the private key (the one you did not upload to Maskinporten).');
		}
		fail(
			'privateKey',
			'is not a PEM private key. It must start with -----BEGIN PRIVATE KEY----- (PKCS#8) or -----BEGIN RSA PRIVATE KEY----- (PKCS#1) and end with the matching END line.',
		);
	}
	if (keyBlock.label === 'ENCRYPTED PRIVATE KEY') {
		fail('privateKey', 'is encrypted with a passphrase. Export it without one, e.g. openssl pkey -in key.pem -out plain-key.pem.');
	}
	if (keyBlock.label === 'EC PRIVATE KEY') {
		fail('privateKey', `is an EC key. Maskinporten accepts only RSA keys (RS256, RS384, RS512): create an RSA key of at least ${MIN_RSA_BITS} bits and register it on the client.`);
	}
	const key = tryCreatePrivateKey({ key: keyBlock.pem, format: 'pem' });
	if (!key) {
		fail('privateKey', 'could not be read: the PEM is damaged or incomplete. Paste the whole key again, including the BEGIN and END lines.');
	}
	return key;
}

// ---------------------------------------------------------------------------------------
// JWK
// ---------------------------------------------------------------------------------------

function jwkObject(value: unknown): Record<string, unknown> {
	const raw = text(value).replace(/^'|'$/g, '');
	if (!raw) {
		fail('jwk', "is empty. Paste the private JWK as JSON (starting with {) or base64-encoded, as in Altinn's EncodedJwk setting.");
	}
	if (raw.startsWith('-----BEGIN')) {
		fail('jwk', 'contains a PEM key, not a JWK. Choose Key Type "PEM Private Key" and paste it there.');
	}
	let json: string;
	if (raw.startsWith('{')) {
		json = raw;
	} else {
		json = Buffer.from(raw.replace(/\s+/g, ''), /[-_]/.test(raw) ? 'base64url' : 'base64').toString('utf8').trim();
		if (!json.startsWith('{')) {
			fail('jwk', "is neither JSON nor base64-encoded JSON. Paste the private JWK starting with {, or its base64 form (Altinn's EncodedJwk).");
		}
	}
	const parsed = parseJson(json);
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		fail('jwk', 'is not valid JSON. Check that you pasted the whole key, from { to }.');
	}
	const object = parsed as Record<string, unknown>;
	if (Array.isArray(object.keys)) {
		if (object.keys.length !== 1 || !object.keys[0] || typeof object.keys[0] !== 'object') {
			fail('jwk', `is a key set with ${object.keys.length} keys. Paste only the one private key this client uses.`);
		}
		return object.keys[0] as Record<string, unknown>;
	}
	return object;
}

function jwkPrivateKey(value: unknown): { key: KeyObject; kid?: string } {
	const jwk = jwkObject(value);
	if (jwk.kty !== 'RSA') {
		const what = typeof jwk.kty === 'string' ? `an ${jwk.kty} key (kty "${jwk.kty}")` : 'not a key (it has no "kty")';
		fail('jwk', `is ${what}. Maskinporten accepts only RSA keys (RS256, RS384, RS512): create an RSA key of at least ${MIN_RSA_BITS} bits.`);
	}
	if (typeof jwk.d !== 'string' || !jwk.d) {
		fail(
			'jwk',
			'has no private part ("d"): this is the public key you registered in Maskinporten. Paste the private JWK, which also has d, p, q, dp, dq and qi.',
		);
	}
	// Classified here, not by OpenSSL: since Node 24.22 (OpenSSL 3.5) createPrivateKey itself refuses a
	// JWK whose halves do not match, while older versions accept it and only the signing probe fails.
	// The user must see the same message whatever the OpenSSL version.
	const consistency = jwkConsistency(jwk);
	if (consistency === 'halves-mismatch') fail('jwk', MISMATCHED_HALVES);
	const key = consistency === 'damaged' ? undefined : tryCreatePrivateKey({ key: jwk as never, format: 'jwk' });
	if (!key) {
		fail('jwk', 'is not a valid RSA private key: one of n, e, d, p, q, dp, dq, qi is missing or damaged. Paste the whole key again.');
	}
	const kid = typeof jwk.kid === 'string' && jwk.kid.trim() ? jwk.kid.trim() : undefined;
	return { key, kid };
}

// ---------------------------------------------------------------------------------------
// Certificate chain
// ---------------------------------------------------------------------------------------

function certificateChain(value: unknown, key: KeyObject, now: Date): X509Certificate[] {
	const raw = normalisePemText(text(value));
	if (!raw) {
		fail('certificate', 'is empty. Paste your business certificate (virksomhetssertifikat) in PEM form, leaf first, then any intermediates.');
	}
	const blocks = pemBlocks(raw);
	const certBlocks = blocks.filter((block) => block.label === 'CERTIFICATE');
	if (!certBlocks.length) {
		if (blocks.some((block) => /PRIVATE KEY$/.test(block.label))) {
			fail('certificate', 'contains a private key, not a certificate. Put the key in Private Key (PEM) and the certificate here.');
		}
		fail(
			'certificate',
			'is not a PEM certificate: it must contain -----BEGIN CERTIFICATE-----. From a .p12/.pfx file: openssl pkcs12 -in cert.p12 -clcerts -nokeys -out cert.pem.',
		);
	}
	const chain: X509Certificate[] = [];
	certBlocks.forEach((block, index) => {
		const cert = tryCertificate(block.pem);
		if (!cert) {
			fail('certificate', `could not be read: certificate ${index + 1} of ${certBlocks.length} is damaged. Paste it again, including the BEGIN and END lines.`);
		}
		chain.push(cert);
	});
	const leaf = chain[0];
	if (!leaf.checkPrivateKey(key)) {
		const match = chain.findIndex((cert) => cert.checkPrivateKey(key));
		if (match > 0) {
			fail('certificate', `is in the wrong order: certificate ${match + 1} belongs to the private key. Put it first (leaf first, then intermediates).`);
		}
		fail(
			'certificate',
			'does not match Private Key (PEM): the certificate was issued for another key. Take the certificate and the key from the same business certificate (.p12/.pfx).',
		);
	}
	if (new Date(leaf.validTo).getTime() < now.getTime()) {
		fail('certificate', `expired on ${new Date(leaf.validTo).toISOString().slice(0, 10)}. Renew the business certificate and paste the new one with its key.`);
	}
	if (new Date(leaf.validFrom).getTime() > now.getTime()) {
		fail('certificate', `is not valid until ${new Date(leaf.validFrom).toISOString().slice(0, 10)}.`);
	}
	return chain;
}

function certificateName(cert: X509Certificate): string {
	const name = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
	const org = /(?:^|\n)serialNumber=(?:[A-Z:-]*)?(\d{9})/.exec(cert.subject)?.[1];
	return `certificate "${name ?? cert.subject.replace(/\n/g, ', ')}"${org ? ` (org ${org})` : ''}`;
}

// ---------------------------------------------------------------------------------------

function fingerprint(key: KeyObject, header: SigningMaterial['header']): string {
	return createHash('sha256')
		.update(createPublicKey(key).export({ type: 'spki', format: 'der' }))
		.update(JSON.stringify(header))
		.digest('hex');
}

function optionalKeyId(value: unknown): string | undefined {
	const kid = text(value);
	if (kid && /\s/.test(kid)) fail('keyId', `"${kid}" contains spaces. Enter the kid exactly as registered on the client.`);
	return kid || undefined;
}

export function loadSigningMaterial(input: KeyInput, now = new Date()): SigningMaterial {
	const keyType = input.keyType;
	const keyId = optionalKeyId(input.keyId);
	if (keyType === 'jwk') {
		const { key, kid: jwkKid } = jwkPrivateKey(input.jwk);
		const bits = checkRsa('jwk', key);
		const kid = keyId ?? jwkKid;
		if (!kid) {
			fail('keyId', 'is required: the JWK has no "kid" and Key ID is empty. Enter the kid the key is registered with on your Maskinporten client.');
		}
		return { keyType, key, bits, header: { kid }, fingerprint: fingerprint(key, { kid }), description: `kid "${kid}"` };
	}
	if (keyType === 'pem') {
		const key = pemPrivateKey(input.privateKey);
		const bits = checkRsa('privateKey', key);
		if (!keyId) {
			fail('keyId', 'is required with a PEM private key. Enter the kid the public key is registered with on your Maskinporten client.');
		}
		return { keyType, key, bits, header: { kid: keyId }, fingerprint: fingerprint(key, { kid: keyId }), description: `kid "${keyId}"` };
	}
	if (keyType === 'certificate') {
		const key = pemPrivateKey(input.privateKey);
		const bits = checkRsa('privateKey', key);
		const chain = certificateChain(input.certificate, key, now);
		const header: SigningMaterial['header'] = { x5c: chain.map((cert) => cert.raw.toString('base64')) };
		if (keyId) header.kid = keyId;
		const description = keyId ? `kid "${keyId}" (${certificateName(chain[0])})` : certificateName(chain[0]);
		return { keyType, key, bits, header, fingerprint: fingerprint(key, header), description };
	}
	return fail('keyType', `"${String(keyType)}" is not supported: choose Private JWK, PEM Private Key or Business Certificate.`);
}
